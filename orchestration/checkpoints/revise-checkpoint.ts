/**
 * Changes what a pending checkpoint asks for (a re-plan, new arguments): the stored request and its
 * action hash are replaced in one statement, the change is audited, and the cards are re-synced so they
 * show the new arguments. Cards posted before carry the old hash, so they can no longer decide.
 */
import { JOB_NAMES } from '../../ports/job-queue.js';
import type { Checkpoint, CheckpointRequest, Store } from '../../ports/store.js';
import { actionHash, currentActionHash } from './action-hash.js';
import type { JobQueue } from '../../ports/job-queue.js';

export interface ReviseCheckpointInput {
  store: Store;
  jobs: JobQueue;
  checkpointId: string;
  /** Who changed it (agent role, 'hermes', 'system', an identity id). */
  by: string;
  /** The new arguments, and optionally a new title or summary. */
  request: Pick<CheckpointRequest, 'details'> & Partial<Pick<CheckpointRequest, 'title' | 'summary'>>;
}

export type ReviseCheckpointResult =
  | { status: 'revised'; checkpoint: Checkpoint }
  | { status: 'not_pending'; checkpoint: Checkpoint }
  | { status: 'not_found' };

export async function reviseCheckpoint(input: ReviseCheckpointInput): Promise<ReviseCheckpointResult> {
  const { store, checkpointId } = input;
  const current = await store.checkpoints.get(checkpointId);
  if (current === null) return { status: 'not_found' };
  if (current.status !== 'pending') return { status: 'not_pending', checkpoint: current };
  const previousHash = currentActionHash(current);
  const request: CheckpointRequest = {
    title: input.request.title ?? current.request.title,
    summary: input.request.summary ?? current.request.summary,
    details: input.request.details,
    actionHash: actionHash(current.kind, input.request.details),
    revision: (current.request.revision ?? 0) + 1,
  };
  const revised = await store.checkpoints.revise(checkpointId, request);
  if (revised === null) {
    const now = await store.checkpoints.get(checkpointId);
    return now === null ? { status: 'not_found' } : { status: 'not_pending', checkpoint: now };
  }
  await store.audit.append({
    actor: input.by,
    action: 'checkpoint.revised',
    subjectType: 'checkpoint',
    subjectId: checkpointId,
    data: { previousHash, actionHash: request.actionHash, revision: request.revision },
  });
  await input.jobs.enqueue(JOB_NAMES.checkpointCard, { checkpointId });
  return { status: 'revised', checkpoint: revised };
}
