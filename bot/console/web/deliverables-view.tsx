/** A project's deliverables: what each done task delivered, the files it changed, and the workspace download. */
import type { JSX } from 'preact';
import { useResource } from './api';
import type { Deliverables } from './types';

const SHOWN_FILES = 12;

export function DeliverablesView({ projectId, tick }: { projectId: string; tick: number }): JSX.Element {
  const { data, error } = useResource<Deliverables>(`/api/console/projects/${projectId}/deliverables`, tick);
  if (error) return <p class="muted">{error}</p>;
  if (!data) return <p>Loading…</p>;
  if (data.tasks.length === 0) return <p class="muted">No task is done yet.</p>;
  return (
    <div class="deliverables" id="deliverables">
      <p>
        <a class="download" href={data.download} download={data.archiveName}>
          Download every file ({data.archiveName})
        </a>
        {data.status === 'completed' ? '' : ' · the project is still in progress'}
      </p>
      <ul class="deliverable-tasks">
        {data.tasks.map((task) => (
          <li key={task.key} data-task={task.key}>
            <strong>{task.title}</strong> <small>({task.role})</small>
            {task.summary ? <p class="deliverable-summary">{task.summary}</p> : null}
            <p class="deliverable-files">
              {task.files.length === 0
                ? 'No files changed.'
                : `Files: ${task.files.slice(0, SHOWN_FILES).join(', ')}${
                    task.files.length > SHOWN_FILES ? ` and ${task.files.length - SHOWN_FILES} more` : ''
                  }`}
            </p>
          </li>
        ))}
      </ul>
    </div>
  );
}
