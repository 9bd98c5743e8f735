/**
 * A task joins a checkpoint another task opened (one credential for every task of a project that needs
 * it): the task is added to the checkpoint's waiters (once), the join is audited, and the card is synced
 * again so it names every task waiting on it. Opening and joining the same subject are serialised per
 * project under a short lease (`exclusive`), so two tasks asking at once open one checkpoint.
 */
import { JOB_NAMES, type JobQueue } from '../../ports/job-queue.js';
import type { Checkpoint, CheckpointWaiter, Store } from '../../ports/store.js';

export interface JoinCheckpointInput {
  store: Store;
  jobs: JobQueue;
  checkpointId: string;
  waiter: Omit<CheckpointWaiter, 'at'>;
  /** Who joins (e.g. `agent:athena`). */
  actor: string;
}

export async function joinCheckpoint(input: JoinCheckpointInput): Promise<Checkpoint | null> {
  const { store, jobs, checkpointId, waiter } = input;
  const before = await store.checkpoints.get(checkpointId);
  if (before === null) return null;
  const already = before.taskId === waiter.taskId || before.waiters.some((w) => w.taskId === waiter.taskId);
  const checkpoint = await store.checkpoints.addWaiter(checkpointId, waiter);
  if (checkpoint === null || already) return checkpoint;
  await store.audit.append({
    actor: input.actor,
    action: 'checkpoint.joined',
    subjectType: 'checkpoint',
    subjectId: checkpointId,
    data: {
      kind: checkpoint.kind,
      projectId: checkpoint.projectId,
      taskId: waiter.taskId,
      taskKey: waiter.taskKey,
      status: checkpoint.status,
      waiting: checkpoint.waiters.length,
    },
  });
  if (checkpoint.status === 'pending') await jobs.enqueue(JOB_NAMES.checkpointCard, { checkpointId });
  return checkpoint;
}
