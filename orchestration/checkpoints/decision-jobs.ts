/**
 * The jobs a stored decision starts, on every decision path (a TO's press on any surface, expiry, a
 * provided credential): the card update, and the one job that carries out what the decision means.
 *   - A checkpoint a parked task (`waiting_checkpoint`) waits on: `task.resume`, straight away, for every
 *     task parked on it (a credential serves each task of the project that asked for it). That job
 *     applies the decision's budget effects (a budget pause ends, the spend is audited) and continues the
 *     task with the decision as its answer (a rejected spend or deploy cancels it there).
 *   - Every other one (a plan or brief review, a budget change, a failed task's question, a task that is
 *     not parked yet): `checkpoint.decided`. A task that parks after the decision finds it decided and
 *     enqueues its own `task.resume` (run-task.ts).
 * Both jobs are idempotent, so enqueuing them again (a press redelivered after a crash) heals instead of
 * repeating anything.
 */
import { JOB_NAMES, type JobQueue } from '../../ports/job-queue.js';
import type { Checkpoint, Store } from '../../ports/store.js';
import { TASK_FAILED_QUESTION } from '../stalled-work.js';

export interface DecisionJobDeps {
  store: Store;
  jobs: JobQueue;
}

export async function enqueueDecisionJobs(deps: DecisionJobDeps, checkpoint: Checkpoint): Promise<void> {
  await Promise.all([
    deps.jobs.enqueue(JOB_NAMES.checkpointCard, { checkpointId: checkpoint.id }),
    enqueueDecisionEffect(deps, checkpoint),
  ]);
}

async function enqueueDecisionEffect(deps: DecisionJobDeps, checkpoint: Checkpoint): Promise<void> {
  const taskIds = await parkedTasksOf(deps.store, checkpoint);
  for (const taskId of taskIds)
    await deps.jobs.enqueue(JOB_NAMES.taskResume, { taskId, checkpointId: checkpoint.id });
  if (taskIds.length === 0)
    await deps.jobs.enqueue(JOB_NAMES.checkpointDecided, { checkpointId: checkpoint.id });
}

/**
 * The tasks parked on this checkpoint's decision: its own task, and every other task that joined it and is
 * parked on it; empty when none waits (yet) for it.
 */
async function parkedTasksOf(store: Store, checkpoint: Checkpoint): Promise<string[]> {
  // A failed task's question is answered by the orchestrator (retry, skip, cancel), not by the task.
  if (checkpoint.kind === 'question' && checkpoint.request.details.purpose === TASK_FAILED_QUESTION)
    return [];
  const parked: string[] = [];
  if (checkpoint.taskId) {
    const task = await store.tasks.get(checkpoint.taskId);
    if (task?.status === 'waiting_checkpoint') parked.push(task.id);
  }
  for (const waiter of checkpoint.waiters) {
    if (waiter.taskId === checkpoint.taskId || parked.includes(waiter.taskId)) continue;
    const [task, progress] = await Promise.all([
      store.tasks.get(waiter.taskId),
      store.tasks.getProgress(waiter.taskId),
    ]);
    if (task?.status === 'waiting_checkpoint' && progress?.waitingOn === checkpoint.id) parked.push(task.id);
  }
  return parked;
}
