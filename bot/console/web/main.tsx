/** The Olympus web console: client chat, the ops channel, projects and jobs, live over server-sent events. */
import { render, type JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiError, useLive } from './api';
import { ChatView } from './chat-view';
import { OpsView } from './ops-view';
import { ProjectsView } from './projects-view';
import type { Me } from './types';
import './app.css';

type Tab = 'chat' | 'ops' | 'projects' | 'jobs';

function readHash(): { tab: Tab; project: string | null } {
  const [tab, project] = window.location.hash.replace(/^#/, '').split('/');
  const known: Tab[] = ['chat', 'ops', 'projects', 'jobs'];
  return { tab: known.includes(tab as Tab) ? (tab as Tab) : 'chat', project: project || null };
}

function Login({ onDone, message }: { onDone: () => void; message: string }): JSX.Element {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  return (
    <form
      class="login"
      onSubmit={(event) => {
        event.preventDefault();
        api('/api/console/login', { method: 'POST', body: { token } }).then(onDone, (problem: unknown) =>
          setError(problem instanceof Error ? problem.message : String(problem)),
        );
      }}
    >
      <h1>Olympus console</h1>
      <p>{message}</p>
      <label>
        Console token
        <input
          type="password"
          name="token"
          value={token}
          onInput={(e) => setToken((e.target as HTMLInputElement).value)}
        />
      </label>
      <button type="submit">Log in</button>
      {error ? <p class="error">{error}</p> : null}
    </form>
  );
}

function Console({ me }: { me: Me }): JSX.Element {
  const [route, setRoute] = useState(readHash);
  const live = useLive();
  useEffect(() => {
    const onHash = () => setRoute(readHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const go = (tab: Tab, project: string | null = null) => {
    window.location.hash = project ? `${tab}/${project}` : tab;
  };
  const tabs: Array<[Tab, string, boolean]> = [
    ['chat', 'Client chat', true],
    ['ops', 'Ops channel', me.may.decide || me.may.seeAllProjects],
    ['projects', 'Projects', true],
    ['jobs', 'Jobs', me.may.jobs],
  ];
  return (
    <div class="console">
      <header>
        <strong class="brand">Olympus</strong>
        <nav>
          {tabs
            .filter(([, , shown]) => shown)
            .map(([tab, label]) => (
              <a key={tab} href={`#${tab}`} class={route.tab === tab ? 'active' : ''} data-tab={tab}>
                {label}
              </a>
            ))}
        </nav>
        <span class="whoami">
          <span
            class={`live ${live.connected ? 'on' : 'off'}`}
            title={live.connected ? 'live' : 'reconnecting'}
          />
          {me.identity.displayName} ({me.role})
          {me.via !== 'loopback' ? (
            <button
              type="button"
              class="link"
              onClick={() =>
                void api('/api/console/logout', { method: 'POST' }).then(() => window.location.reload())
              }
            >
              log out
            </button>
          ) : null}
        </span>
      </header>
      <main>
        {route.tab === 'chat' ? (
          <ChatView me={me} tick={live.tick} onProject={(id) => go('projects', id)} />
        ) : null}
        {route.tab === 'ops' ? <OpsView me={me} tick={live.tick} /> : null}
        {route.tab === 'projects' ? (
          <ProjectsView
            me={me}
            tick={live.tick}
            selected={route.project}
            onSelect={(id) => go('projects', id)}
          />
        ) : null}
        {route.tab === 'jobs' ? <iframe class="jobs" src="/jobs/" title="Jobs (Agendash)" /> : null}
      </main>
    </div>
  );
}

function App(): JSX.Element {
  const [me, setMe] = useState<Me | null>(null);
  const [login, setLogin] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    api<Me>('/api/console/me').then(
      (value) => {
        setMe(value);
        setLogin(null);
      },
      (problem: unknown) =>
        setLogin(problem instanceof ApiError && problem.status === 401 ? problem.message : String(problem)),
    );
  }, [attempt]);
  if (login !== null) return <Login message={login} onDone={() => setAttempt((n) => n + 1)} />;
  if (me === null) return <p>Loading…</p>;
  return <Console me={me} />;
}

render(<App />, document.getElementById('app')!);
