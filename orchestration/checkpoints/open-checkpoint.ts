/**
 * Opens a TO checkpoint: stores it, audits it, and enqueues the job that posts its card on every
 * surface that shows cards. The caller (an agent, Hermes, the orchestrator) then waits for the decision.
 * The request is stored with its action hash (see action-hash.ts), whatever hash the caller passed.
 */
import { JOB_NAMES } from '../../ports/job-queue.js';
import { requestDigest } from '../digest/request-digest.js';
import type { Checkpoint, NewCheckpoint, Store } from '../../ports/store.js';
import { actionHash } from './action-hash.js';
import type { JobQueue } from '../../ports/job-queue.js';

export interface OpenCheckpointInput {
  store: Store;
  jobs: JobQueue;
  checkpoint: NewCheckpoint;
}

export async function openCheckpoint(input: OpenCheckpointInput): Promise<Checkpoint> {
  const { store, jobs } = input;
  const { kind, request } = input.checkpoint;
  const checkpoint = await store.checkpoints.open({
    ...input.checkpoint,
    request: { ...request, actionHash: actionHash(kind, request.details) },
  });
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
      actionHash: checkpoint.request.actionHash,
    },
  });
  await jobs.enqueue(JOB_NAMES.checkpointCard, { checkpointId: checkpoint.id });
  await requestDigest({ jobs }, checkpoint.projectId, 'checkpoint_waiting', checkpoint.id);
  return checkpoint;
}
