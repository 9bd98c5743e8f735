/**
 * Projects: the list the viewer may see, and one project's brief versions, tasks, deliverables, cards, spend
 * and audit.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { useResource } from './api';
import { SpendChart, TaskGraph } from './charts';
import { DraftBrief } from './chat-view';
import { CheckpointCard } from './checkpoint-card';
import { DeliverablesView } from './deliverables-view';
import type { AuditEvent, Me, Project, ProjectDetail } from './types';

function describe(data: Record<string, unknown>): string {
  return Object.entries(data)
    .filter(([key]) => key !== 'actionHash' && key !== 'projectId')
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
}

function AuditTable({ events, id }: { events: AuditEvent[]; id: string }): JSX.Element {
  if (events.length === 0) return <p class="muted">Nothing yet.</p>;
  return (
    <table class="audit" id={id}>
      <thead>
        <tr>
          <th>#</th>
          <th>when</th>
          <th>who</th>
          <th>what</th>
          <th>details</th>
        </tr>
      </thead>
      <tbody>
        {events.map((event) => (
          <tr key={event.seq} data-action={event.action}>
            <td>{event.seq}</td>
            <td>{new Date(event.at).toLocaleString()}</td>
            <td>{(event.actorName ?? event.actor).slice(0, 36)}</td>
            <td>{event.action}</td>
            <td class="details">{describe(event.data)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Detail({ id, me, tick }: { id: string; me: Me; tick: number }): JSX.Element {
  const [local, setLocal] = useState(0);
  const [version, setVersion] = useState<number | null>(null);
  const { data, error } = useResource<ProjectDetail>(`/api/console/projects/${id}`, tick + local);
  if (error) return <p class="error">{error}</p>;
  if (!data) return <p>Loading…</p>;
  const { project } = data;
  const brief = data.briefs.find((b) => b.version === version) ?? data.briefs[0];
  const stalled = data.stalled ?? [];
  const planStall = stalled.find((work) => work.kind === 'plan');
  return (
    <div class="project" data-project-id={project.id} data-status={project.status}>
      <h2>
        {project.title} <small>({project.key})</small>
      </h2>
      <p>
        Status:{' '}
        <strong class="project-status">
          {planStall ? 'planning failed' : project.status.replace(/_/g, ' ')}
        </strong>
        {data.owner ? ` · client ${data.owner.displayName}` : ''}
      </p>
      {stalled.map((work) => (
        <div class="stalled" key={work.checkpointId} data-stalled={work.kind} role="alert">
          <h4 class="stalled-title">
            {work.kind === 'plan' ? 'Planning failed' : `Task ${work.taskKey ?? ''} failed`}
            {work.modelCalls !== null ? ` after ${work.modelCalls} model calls` : ''}
          </h4>
          <p class="stalled-reason">
            {work.reason ??
              (work.kind === 'plan'
                ? 'The planner could not turn the brief into a usable plan.'
                : 'The task kept failing, so the team stopped it.')}
          </p>
          <dl class="stalled-facts">
            <div>
              <dt>Technical detail</dt>
              <dd class="stalled-error">{work.error}</dd>
            </div>
            <div>
              <dt>Since</dt>
              <dd>{new Date(work.since).toLocaleString()}</dd>
            </div>
            <div>
              <dt>Next step</dt>
              <dd>
                A TO answers the question checkpoint below:{' '}
                {work.kind === 'plan'
                  ? 'approve to plan again, modify to plan again with guidance, reject to hold the project.'
                  : 'approve to retry, modify to skip, reject to cancel.'}
              </dd>
            </div>
          </dl>
        </div>
      ))}
      <h3>Brief</h3>
      <div class="versions">
        {data.briefs.map((b) => (
          <button
            type="button"
            key={b.version}
            class={b.version === brief?.version ? 'active' : ''}
            onClick={() => setVersion(b.version)}
          >
            v{b.version}
          </button>
        ))}
      </div>
      {brief ? <DraftBrief draft={brief.content} /> : <p class="muted">No brief.</p>}
      <h3>Tasks</h3>
      <TaskGraph tasks={data.tasks} status={project.status} planningFailed={planStall !== undefined} />
      {data.tasks.length > 0 ? (
        <table class="tasks" id="tasks">
          <tbody>
            {data.tasks.map((task) => (
              <tr key={task.id} data-task={task.key} data-status={task.status}>
                <td>{task.key}</td>
                <td>{task.role}</td>
                <td>{task.title}</td>
                <td class="task-status">{task.status}</td>
                <td>{task.attempts} attempt(s)</td>
                <td>{task.lastError ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {data.tasks.some((task) => task.status === 'done') ? (
        <>
          <h3>Deliverables</h3>
          <DeliverablesView projectId={project.id} tick={tick + local} />
        </>
      ) : null}
      <h3>Checkpoints</h3>
      <div class="cards">
        {data.checkpoints.length === 0 ? <p class="muted">None.</p> : null}
        {data.checkpoints.map((card) => (
          <CheckpointCard
            key={card.checkpoint.id}
            card={card}
            mayDecide={me.may.decide && card.checkpoint.status === 'pending'}
            onDecided={() => setLocal((n) => n + 1)}
          />
        ))}
      </div>
      <h3>Spend</h3>
      <SpendChart spend={data.spend} />
      <h3>Digests sent</h3>
      {data.digests.length === 0 ? <p class="muted">None yet.</p> : null}
      <ol class="digests" id="digests">
        {data.digests.map((digest, index) => (
          <li key={index}>
            <time>{new Date(digest.at).toLocaleString()}</time>
            <pre>{digest.text}</pre>
          </li>
        ))}
      </ol>
      {me.may.seeAllProjects ? (
        <>
          <h3>Audit trail</h3>
          <AuditTable events={data.audit} id="audit-trail" />
        </>
      ) : null}
    </div>
  );
}

export function ProjectsView({
  me,
  tick,
  selected,
  onSelect,
}: {
  me: Me;
  tick: number;
  selected: string | null;
  onSelect: (id: string) => void;
}): JSX.Element {
  const { data, error } = useResource<{ projects: Project[] }>('/api/console/projects', tick);
  if (error) return <p class="error">{error}</p>;
  return (
    <section class="projects">
      <ul class="project-list">
        {(data?.projects ?? []).map((project) => (
          <li key={project.id}>
            <button
              type="button"
              class={project.id === selected ? 'active' : ''}
              data-project-key={project.key}
              onClick={() => onSelect(project.id)}
            >
              <strong>{project.title}</strong>
              <span class={`badge status-${project.status}`}>{project.status.replace(/_/g, ' ')}</span>
            </button>
          </li>
        ))}
        {data && data.projects.length === 0 ? <li class="muted">No projects yet.</li> : null}
      </ul>
      <div class="project-detail">
        {selected ? <Detail id={selected} me={me} tick={tick} /> : <p class="muted">Pick a project.</p>}
      </div>
    </section>
  );
}
