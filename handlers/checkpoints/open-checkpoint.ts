/**
 * Opens a TO checkpoint: stores it, audits it, and enqueues the job that posts its card on every
 * surface that shows cards. The caller (an agent, Hermes, the orchestrator) then waits for the decision.
 */
import { JOB_NAMES } from '../../orchestration/jobs/job-catalogue.js';
import type { Checkpoint, NewCheckpoint, Store } from '../../storage/ports.js';
import type { JobQueue } from './job-queue.js';

export interface OpenCheckpointInput {
  store: Store;
  jobs: JobQueue;
  checkpoint: NewCheckpoint;
}

export async function openCheckpoint(input: OpenCheckpointInput): Promise<Checkpoint> {
  const { store, jobs } = input;
  const checkpoint = await store.checkpoints.open(input.checkpoint);
  await store.audit.append({
    actor: checkpoint.requestedBy,
    action: 'checkpoint.opened',
    subjectType: 'checkpoint',
    subjectId: checkpoint.id,
    data: {
      kind: checkpoint.kind,
      projectId: checkpoint.projectId,
      taskId: checkpoint.taskId,
      title: checkpoint.request.title,
    },
  });
  await jobs.enqueue(JOB_NAMES.checkpointCard, { checkpointId: checkpoint.id });
  return checkpoint;
}
