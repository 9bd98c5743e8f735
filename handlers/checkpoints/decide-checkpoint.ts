/**
 * A checkpoint decision, whatever surface it came from: only TOs and admins may decide; the first
 * decision wins in the store (compare-and-set); every attempt is audited; the cards are then updated.
 */
import { JOB_NAMES } from '../../orchestration/jobs/job-catalogue.js';
import type { Checkpoint, CheckpointOutcome, Identity, Store } from '../../storage/ports.js';
import { evaluate } from '../access/policy.js';
import type { JobQueue } from './job-queue.js';

export type DecisionOutcome = Extract<CheckpointOutcome, 'approved' | 'modified' | 'rejected'>;

export interface DecideCheckpointInput {
  store: Store;
  jobs: JobQueue;
  checkpointId: string;
  /** The known identity of the decider, or null for someone Olympus does not know. */
  decider: Identity | null;
  /** How to name the decider in the audit log when there is no identity (e.g. `slack:U123`). */
  deciderLabel: string;
  outcome: DecisionOutcome;
  changes?: string;
  reason?: string;
}

export type DecideCheckpointResult =
  | { status: 'decided'; checkpoint: Checkpoint; message: string }
  | { status: 'already_decided'; checkpoint: Checkpoint; decidedBy: Identity | null; message: string }
  | { status: 'refused'; message: string }
  | { status: 'not_found'; message: string };

/** Whether the access policy lets this identity decide checkpoints (TOs and admins). */
export function mayDecide(identity: Identity | null): boolean {
  if (identity === null) return false;
  return evaluate({ kind: 'person', identityId: identity.id, role: identity.role }, 'checkpoint.decide')
    .allowed;
}

type NotDecided = Exclude<DecideCheckpointResult, { status: 'decided' }>;

export type DecisionPrecheck = NotDecided | null;

/**
 * Before asking a decider for details (a reason, changes): refuses non-TOs (audited) and reports a
 * checkpoint that is gone or decided already. Null means go ahead; the decision itself re-checks.
 */
export async function precheckDecision(
  input: Omit<DecideCheckpointInput, 'jobs' | 'changes' | 'reason'>,
): Promise<DecisionPrecheck> {
  if (input.decider === null || !mayDecide(input.decider)) return refuse(input);
  const checkpoint = await input.store.checkpoints.get(input.checkpointId);
  if (checkpoint === null) return notFound();
  if (checkpoint.status !== 'pending') return alreadyDecided(input.store, checkpoint);
  return null;
}

export async function decideCheckpoint(input: DecideCheckpointInput): Promise<DecideCheckpointResult> {
  const { store, checkpointId } = input;
  const decider = input.decider;
  if (decider === null || !mayDecide(decider)) return refuse(input);
  const result = await store.checkpoints.decide(checkpointId, {
    outcome: input.outcome,
    by: decider.id,
    ...(input.changes !== undefined ? { changes: input.changes } : {}),
    ...(input.reason !== undefined ? { reason: input.reason } : {}),
  });
  if (result.checkpoint === null) return notFound();
  if (!result.won) return alreadyDecided(store, result.checkpoint);
  await store.audit.append({
    actor: decider.id,
    action: 'checkpoint.decided',
    subjectType: 'checkpoint',
    subjectId: checkpointId,
    data: {
      outcome: input.outcome,
      ...(input.changes !== undefined ? { changes: input.changes } : {}),
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
    },
  });
  await input.jobs.enqueue(JOB_NAMES.checkpointCard, { checkpointId });
  // What the decision means for the work (plan approved, task retried…) is the orchestrator's job.
  await input.jobs.enqueue(JOB_NAMES.checkpointDecided, { checkpointId });
  return { status: 'decided', checkpoint: result.checkpoint, message: `Checkpoint ${input.outcome}.` };
}

async function refuse(
  input: Pick<DecideCheckpointInput, 'store' | 'checkpointId' | 'decider' | 'deciderLabel' | 'outcome'>,
): Promise<NotDecided> {
  const { decider } = input;
  await input.store.audit.append({
    actor: decider?.id ?? input.deciderLabel,
    action: 'checkpoint.decision_refused',
    subjectType: 'checkpoint',
    subjectId: input.checkpointId,
    data: { outcome: input.outcome, role: decider?.role ?? null, who: input.deciderLabel },
  });
  return {
    status: 'refused',
    message: 'Only Technical Operators can decide checkpoints. Nothing was decided.',
  };
}

function notFound(): NotDecided {
  return { status: 'not_found', message: 'This checkpoint no longer exists.' };
}

async function alreadyDecided(store: Store, checkpoint: Checkpoint): Promise<NotDecided> {
  const by = checkpoint.decision?.by ?? null;
  const decidedBy = by === null ? null : await store.identities.get(by);
  const name = decidedBy?.displayName ?? by ?? 'someone else';
  return {
    status: 'already_decided',
    checkpoint,
    decidedBy,
    message: `This checkpoint was already ${checkpoint.status} by ${name}.`,
  };
}
