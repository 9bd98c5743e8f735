/**
 * At 100% of its budget a project pauses: it goes `on_hold` (tasks are neither dispatched nor started
 * while it is), with a `project.paused` audit event naming the `budget_reached` checkpoint. When a TO
 * decides it and no other budget checkpoint of the project is pending, it goes back to `active` and its
 * ready tasks are dispatched again (an approval raised the limit; after a rejection the next call past
 * the limit pauses the project again).
 */
import type { JobQueue } from '../../ports/job-queue.js';
import type { Checkpoint, Project, Store } from '../../ports/store.js';
import { taskRunJob } from '../../ports/job-queue.js';
import type { ProjectSpend } from './project-spend.js';

export const BUDGET_ACTOR = 'budget';
export const PAUSE_REASON = 'budget_reached';

export async function pauseForBudget(
  store: Store,
  project: Project,
  checkpoint: Checkpoint,
  spend: ProjectSpend,
): Promise<void> {
  const paused = await store.projects.setStatus(project.id, ['active'], 'on_hold');
  if (!paused) return;
  await store.audit.append({
    actor: BUDGET_ACTOR,
    action: 'project.paused',
    subjectType: 'project',
    subjectId: project.id,
    data: {
      reason: PAUSE_REASON,
      checkpointId: checkpoint.id,
      spent: spend.spent,
      budget: spend.budget,
      limit: spend.limit,
      currency: spend.currency,
    },
  });
}

/** Whether the project's latest pause or resume is a budget pause (not a rejected plan's hold). */
export async function pausedForBudget(store: Store, project: Project): Promise<boolean> {
  if (project.status !== 'on_hold') return false;
  const events = await store.audit.list({ subjectId: project.id });
  const last = events.filter((e) => e.action === 'project.paused' || e.action === 'project.resumed').at(-1);
  return last?.action === 'project.paused' && last.data.reason === PAUSE_REASON;
}

export async function resumeAfterBudget(
  store: Store,
  jobs: JobQueue,
  projectId: string,
  checkpoint: Checkpoint,
): Promise<boolean> {
  const project = await store.projects.get(projectId);
  if (!project || !(await pausedForBudget(store, project))) return false;
  const pending = await store.checkpoints.list({ projectId, status: ['pending'] });
  if (pending.some((other) => other.kind === 'spend' && other.request.details.reason === PAUSE_REASON))
    return false;
  const resumed = await store.projects.setStatus(projectId, ['on_hold'], 'active');
  if (!resumed) return false;
  await store.audit.append({
    actor: checkpoint.decision?.by ?? BUDGET_ACTOR,
    action: 'project.resumed',
    subjectType: 'project',
    subjectId: projectId,
    data: { reason: `budget checkpoint ${checkpoint.status}`, checkpointId: checkpoint.id },
  });
  for (const task of await store.tasks.listByProject(projectId)) {
    if (task.status === 'ready') await jobs.enqueue(taskRunJob(task.role), { taskId: task.id });
  }
  return true;
}
