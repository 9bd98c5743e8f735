/**
 * What a project delivers to its client: for each done task, the agent's summary (from its `task.done`
 * audit event) and the workspace files its steps committed, and the whole workspace as one .tar.gz
 * archive. The completion notice says it in words and carries the archive as an attachment; the console
 * shows the same report and offers the archive for download.
 */
import type { Workspaces } from '../../agents/workspace/project-workspace.js';
import type { AgentRole, Project, Store, Task } from '../../ports/store.js';

export interface TaskDeliverable {
  key: string;
  title: string;
  role: AgentRole;
  /** The agent's own summary of what it delivered; null when none was recorded. */
  summary: string | null;
  /** Workspace paths the task's commits added, changed or deleted. */
  files: string[];
}

export interface ProjectDeliverables {
  projectId: string;
  projectKey: string;
  title: string;
  /** Done tasks, in plan order. */
  tasks: TaskDeliverable[];
  /** The archive's file name: `<project key>-workspace.tar.gz`. */
  archiveName: string;
}

export const ARCHIVE_CONTENT_TYPE = 'application/gzip';

export function archiveName(project: Pick<Project, 'key'>): string {
  return `${project.key}-workspace.tar.gz`;
}

export async function projectDeliverables(
  store: Pick<Store, 'tasks' | 'audit'>,
  workspaces: Workspaces,
  project: Project,
): Promise<ProjectDeliverables> {
  const workspace = workspaces.forProject(project);
  const done = (await store.tasks.listByProject(project.id)).filter((task) => task.status === 'done');
  const tasks = await Promise.all(
    done.map(async (task) => ({
      key: task.key,
      title: task.title,
      role: task.role,
      summary: await summaryOf(store, task),
      files: await workspace.filesOfTask(task.id),
    })),
  );
  return {
    projectId: project.id,
    projectKey: project.key,
    title: project.title,
    tasks,
    archiveName: archiveName(project),
  };
}

/** The summary of the task's last `task.done` event. */
async function summaryOf(store: Pick<Store, 'audit'>, task: Task): Promise<string | null> {
  const events = await store.audit.list({ subjectId: task.id });
  const done = events.filter((event) => event.action === 'task.done').at(-1);
  const summary = done?.data.summary;
  return typeof summary === 'string' && summary.trim().length > 0 ? summary.trim() : null;
}

const SHOWN_FILES = 8;
const SHOWN_SUMMARY = 400;

/** The deliverables in words, for the completion notice: a line per task, its summary and files. */
export function deliverablesText(deliverables: ProjectDeliverables): string {
  const lines = deliverables.tasks.map((task) => {
    const summary = task.summary ? `: ${clip(task.summary, SHOWN_SUMMARY)}` : '';
    const shown = task.files.slice(0, SHOWN_FILES).join(', ');
    const more = task.files.length > SHOWN_FILES ? ` and ${task.files.length - SHOWN_FILES} more` : '';
    const files = task.files.length > 0 ? `\n  Files: ${shown}${more}` : '\n  Files: none changed';
    return `• ${task.title}${summary}${files}`;
  });
  return [
    ...lines,
    '',
    `Every file of the project comes with this message as ${deliverables.archiveName} where your chat can carry files, and can be downloaded from the project's page in the console.`,
  ].join('\n');
}

function clip(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}
