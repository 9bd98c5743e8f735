/** Client chat: talk to Hermes as an identity and watch the draft brief form beside the conversation. */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, useResource } from './api';
import { briefRows } from './brief-fields';
import type { Conversation, IdentityView, Me } from './types';

/** What a console sender is called: the email address or the console name of a handle. */
function senderOf(handle: string): string | null {
  if (handle.startsWith('email:')) return handle.slice(6);
  if (handle.startsWith('console:')) return handle.slice(8);
  return null;
}

function ownSender(me: Me): string {
  for (const handle of me.identity.handles) {
    const sender = senderOf(handle);
    if (sender) return sender;
  }
  return me.identity.displayName;
}

export function DraftBrief({ draft }: { draft: Record<string, unknown> }): JSX.Element {
  const rows = briefRows(draft);
  if (rows.length === 0) return <p class="muted">Nothing yet: the brief forms as you talk.</p>;
  return (
    <dl class="brief">
      {rows.map((row) => (
        <div key={row.field} data-field={row.field}>
          <dt>{row.label}</dt>
          <dd>{row.value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function ChatView({
  me,
  tick,
  onProject,
}: {
  me: Me;
  tick: number;
  onProject: (id: string) => void;
}): JSX.Element {
  const [as, setAs] = useState(me.may.speakAsAnyone ? '' : ownSender(me));
  const [chosen, setChosen] = useState(me.may.speakAsAnyone ? '' : ownSender(me));
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [local, setLocal] = useState(0);
  const identities = useResource<{ identities: IdentityView[] }>(
    me.may.speakAsAnyone ? '/api/console/identities' : null,
    tick,
  );
  const conversation = useResource<{ conversation: Conversation | null }>(
    chosen ? `/api/console/conversation?as=${encodeURIComponent(chosen)}` : null,
    tick + local,
  );
  useEffect(() => {
    const list = document.getElementById('messages');
    if (list) list.scrollTop = list.scrollHeight;
  }, [conversation.data]);

  async function send(event: Event) {
    event.preventDefault();
    if (!chosen || !text.trim()) return;
    setSending(true);
    setError(null);
    try {
      await api('/api/console/messages', { method: 'POST', body: { as: chosen, text: text.trim() } });
      setText('');
      setLocal((n) => n + 1);
    } catch (problem) {
      setError(problem instanceof Error ? problem.message : String(problem));
    } finally {
      setSending(false);
    }
  }

  const senders = (identities.data?.identities ?? [])
    .flatMap((identity) => identity.handles.map(senderOf))
    .filter((sender): sender is string => sender !== null && sender !== 'operator');
  const current = conversation.data?.conversation ?? null;
  return (
    <section class="chat">
      <div class="chat-main">
        {me.may.speakAsAnyone ? (
          <form
            class="who"
            onSubmit={(event) => {
              event.preventDefault();
              setChosen(as.trim());
            }}
          >
            <label>
              Talk to Hermes as
              <input
                name="as"
                list="known-senders"
                placeholder="email address or name"
                value={as}
                onInput={(event) => setAs((event.target as HTMLInputElement).value)}
              />
            </label>
            <datalist id="known-senders">
              {senders.map((sender) => (
                <option key={sender} value={sender} />
              ))}
            </datalist>
            <button type="submit">Open</button>
          </form>
        ) : (
          <p class="who">
            Talking to Hermes as <strong>{chosen}</strong>
          </p>
        )}
        {chosen ? (
          <>
            <ol id="messages" class="messages">
              {(current?.messages ?? []).map((message, index) => (
                <li key={index} class={`message from-${message.from}`}>
                  <span class="author">{message.from === 'hermes' ? 'Hermes' : chosen}</span>
                  <p>{message.text}</p>
                </li>
              ))}
            </ol>
            <form class="compose" onSubmit={(event) => void send(event)}>
              <textarea
                name="text"
                placeholder={`Message Hermes as ${chosen}`}
                value={text}
                onInput={(event) => setText((event.target as HTMLTextAreaElement).value)}
                onKeyDown={(event) => {
                  if (event.key === 'Enter' && !event.shiftKey) void send(event);
                }}
              />
              <button type="submit" disabled={sending || !text.trim()}>
                {sending ? 'Sending…' : 'Send'}
              </button>
            </form>
            {error ? <p class="error">{error}</p> : null}
          </>
        ) : (
          <p class="muted">Pick or type who is writing.</p>
        )}
      </div>
      <aside class="chat-brief" id="draft-brief">
        <h2>Draft brief</h2>
        {current ? (
          <>
            <p class="state" data-state={current.state}>
              State: {current.state.replace(/_/g, ' ')}
            </p>
            <DraftBrief draft={current.draft} />
            {current.projectId ? (
              <button type="button" class="link" onClick={() => onProject(current.projectId!)}>
                Open the project
              </button>
            ) : null}
          </>
        ) : (
          <p class="muted">No conversation yet.</p>
        )}
      </aside>
    </section>
  );
}
