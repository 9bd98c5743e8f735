/**
 * A checkpoint decision, whatever surface it came from: only TOs and admins may decide; the first
 * decision wins in the store (compare-and-set); every attempt is audited; the cards are then updated.
 * A decision names the action hash its decider saw: when the checkpoint's arguments changed since (the
 * stored hash differs), it is refused as `stale_card`. The hash is part of the same compare-and-set
 * statement, so a revision that lands between reading and deciding cannot be approved either.
 */
import { crashPoint } from '../../common/crash-point.js';
import type { Checkpoint, CheckpointOutcome, Identity, Store } from '../../ports/store.js';
import { evaluate } from '../access/policy.js';
import { currentActionHash } from '../../orchestration/checkpoints/action-hash.js';
import { enqueueDecisionJobs } from '../../orchestration/checkpoints/decision-jobs.js';
import type { JobQueue } from '../../ports/job-queue.js';

export type DecisionOutcome = Extract<CheckpointOutcome, 'approved' | 'modified' | 'rejected'>;

export interface DecideCheckpointInput {
  store: Store;
  jobs: JobQueue;
  checkpointId: string;
  /**
   * The known identity of the decider, or null for someone Olympus does not know. May be given as its
   * lookup still running: the checkpoint is read meanwhile (a surface's press pays one round trip, not two).
   */
  decider: Identity | null | Promise<Identity | null>;
  /** How to name the decider in the audit log when there is no identity (e.g. `slack:U123`). */
  deciderLabel: string;
  outcome: DecisionOutcome;
  changes?: string;
  reason?: string;
  /**
   * The action hash the decider was shown. Cards always carry it; a card without one passes null and is
   * refused as stale. Undefined only for callers that show the current state right before deciding
   * (the ops CLI).
   */
  actionHash?: string | null;
}

export type RefusalReason = 'not_allowed' | 'stale_card';

export type DecideCheckpointResult =
  | { status: 'decided'; checkpoint: Checkpoint; message: string }
  | { status: 'already_decided'; checkpoint: Checkpoint; decidedBy: Identity | null; message: string }
  | { status: 'refused'; reason: RefusalReason; message: string }
  | { status: 'not_found'; message: string };

/** Whether the access policy lets this identity decide checkpoints (TOs and admins). */
export function mayDecide(identity: Identity | null): boolean {
  if (identity === null) return false;
  return evaluate({ kind: 'person', identityId: identity.id, role: identity.role }, 'checkpoint.decide')
    .allowed;
}

type NotDecided = Exclude<DecideCheckpointResult, { status: 'decided' }>;

export type DecisionPrecheck = NotDecided | null;

/** What a precheck needs: the decider already known (nothing is stored before it answers). */
export type PrecheckInput = Omit<DecideCheckpointInput, 'jobs' | 'changes' | 'reason' | 'decider'> & {
  decider: Identity | null;
};

/**
 * Before asking a decider for details (a reason, changes): refuses non-TOs (audited) and reports a
 * checkpoint that is gone or decided already. Null means go ahead; the decision itself re-checks.
 */
export async function precheckDecision(input: PrecheckInput): Promise<DecisionPrecheck> {
  if (input.decider === null || !mayDecide(input.decider)) return refuse(input);
  const checkpoint = await input.store.checkpoints.get(input.checkpointId);
  if (checkpoint === null) return notFound();
  if (checkpoint.status !== 'pending') return alreadyDecided(input.store, checkpoint);
  if (input.actionHash !== undefined && input.actionHash !== currentActionHash(checkpoint)) {
    return refuseStale(input, checkpoint);
  }
  return null;
}

export async function decideCheckpoint(input: DecideCheckpointInput): Promise<DecideCheckpointResult> {
  const { store, checkpointId } = input;
  const seen = input.actionHash;
  // The decider's lookup and the read of what they saw go together: neither needs the other.
  const [decider, current] = await Promise.all([
    input.decider,
    seen === undefined ? undefined : store.checkpoints.get(checkpointId),
  ]);
  const known = { ...input, decider };
  if (decider === null || !mayDecide(decider)) return refuse(known);
  let expectedActionHash: string | undefined;
  if (current !== undefined) {
    if (current === null) return notFound();
    if (current.status !== 'pending') {
      await enqueueFollowUps(input, current);
      return alreadyDecided(store, current);
    }
    if (seen === null || seen !== currentActionHash(current)) return refuseStale(known, current);
    // Checkpoints stored before action hashes had none: their request cannot be revised (revising sets
    // one), so the check above is enough for them; every other one is checked again in the CAS.
    if (current.request.actionHash !== undefined && seen !== undefined) expectedActionHash = seen;
  }
  const audit = (decided: Checkpoint) => ({
    actor: decider.id,
    action: 'checkpoint.decided',
    subjectType: 'checkpoint',
    subjectId: checkpointId,
    data: {
      outcome: input.outcome,
      actionHash: currentActionHash(decided),
      ...(input.changes !== undefined ? { changes: input.changes } : {}),
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
    },
  });
  // The decision and its audit event are stored together (one transaction where the store has them).
  const result = await store.checkpoints.decide(
    checkpointId,
    {
      outcome: input.outcome,
      by: decider.id,
      ...(input.changes !== undefined ? { changes: input.changes } : {}),
      ...(input.reason !== undefined ? { reason: input.reason } : {}),
    },
    { audit, ...(expectedActionHash !== undefined ? { expectedActionHash } : {}) },
  );
  if (result.checkpoint === null) return notFound();
  if (!result.won) {
    // Still pending after losing the compare-and-set: only the action hash can have failed to match.
    if (result.checkpoint.status === 'pending') return refuseStale(known, result.checkpoint);
    await enqueueFollowUps(input, result.checkpoint);
    return alreadyDecided(store, result.checkpoint);
  }
  crashPoint('checkpoint.after_decision');
  // The card, and what the decision means for the work, go out together: for a parked task that is its
  // `task.resume`, enqueued here, one job hop from the decision.
  await enqueueFollowUps(input, result.checkpoint);
  return { status: 'decided', checkpoint: result.checkpoint, message: `Checkpoint ${input.outcome}.` };
}

/**
 * The card update and the decision's effect (`task.resume` for a parked task, `checkpoint.decided`
 * otherwise; see orchestration/checkpoints/decision-jobs.ts). A repeat of a decided checkpoint's decision
 * (a press redelivered after a crash, a second press) enqueues them again: both are idempotent, so a crash
 * between storing a decision and enqueuing them heals on the next delivery instead of leaving the card and
 * the work behind.
 */
function enqueueFollowUps(
  input: Pick<DecideCheckpointInput, 'store' | 'jobs'>,
  checkpoint: Checkpoint,
): Promise<void> {
  return enqueueDecisionJobs({ store: input.store, jobs: input.jobs }, checkpoint);
}

async function refuse(
  input: Pick<PrecheckInput, 'store' | 'checkpointId' | 'decider' | 'deciderLabel' | 'outcome'>,
): Promise<NotDecided> {
  const { decider } = input;
  await input.store.audit.append({
    actor: decider?.id ?? input.deciderLabel,
    action: 'checkpoint.decision_refused',
    subjectType: 'checkpoint',
    subjectId: input.checkpointId,
    data: {
      outcome: input.outcome,
      reason: 'not_allowed',
      role: decider?.role ?? null,
      who: input.deciderLabel,
    },
  });
  return {
    status: 'refused',
    reason: 'not_allowed',
    message: 'Only Technical Operators can decide checkpoints. Nothing was decided.',
  };
}

async function refuseStale(
  input: Pick<
    PrecheckInput,
    'store' | 'checkpointId' | 'decider' | 'deciderLabel' | 'outcome' | 'actionHash'
  >,
  checkpoint: Checkpoint,
): Promise<NotDecided> {
  await input.store.audit.append({
    actor: input.decider?.id ?? input.deciderLabel,
    action: 'checkpoint.decision_refused',
    subjectType: 'checkpoint',
    subjectId: input.checkpointId,
    data: {
      outcome: input.outcome,
      reason: 'stale_card',
      seenActionHash: input.actionHash ?? null,
      currentActionHash: currentActionHash(checkpoint),
      who: input.deciderLabel,
    },
  });
  return {
    status: 'refused',
    reason: 'stale_card',
    message:
      "This card is out of date: the checkpoint's action or arguments changed after it was posted. " +
      'Nothing was decided; review the updated card and decide there.',
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

/** The identity in whose name Olympus itself decides (expiry). It has no role: it can decide nothing else. */
export const SYSTEM_DECIDER_HANDLE = { surface: 'console', externalId: 'olympus:system' } as const;

export interface ExpireCheckpointInput {
  store: Store;
  jobs: JobQueue;
  checkpointId: string;
  /** Why it expired, e.g. "no decision within 72 hours". */
  reason: string;
}

/**
 * The system path of the decision: a checkpoint nobody decided in time is decided `expired` by Olympus,
 * with the same compare-and-set (a TO's decision that lands first wins), audit and follow-up jobs.
 */
export async function expireCheckpoint(input: ExpireCheckpointInput): Promise<DecideCheckpointResult> {
  const { store, checkpointId } = input;
  const system = await store.identities.ensureByHandle(SYSTEM_DECIDER_HANDLE, { displayName: 'Olympus' });
  const result = await store.checkpoints.decide(
    checkpointId,
    { outcome: 'expired', by: system.id, reason: input.reason },
    {
      audit: (decided) => ({
        actor: system.id,
        action: 'checkpoint.decided',
        subjectType: 'checkpoint',
        subjectId: checkpointId,
        data: {
          outcome: 'expired',
          actionHash: currentActionHash(decided),
          reason: input.reason,
          system: true,
        },
      }),
    },
  );
  if (result.checkpoint === null) return notFound();
  if (!result.won) return alreadyDecided(store, result.checkpoint);
  await enqueueFollowUps(input, result.checkpoint);
  return { status: 'decided', checkpoint: result.checkpoint, message: 'Checkpoint expired.' };
}
