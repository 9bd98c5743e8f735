/**
 * A project's budget (its spending limit) changes only when a TO approves: a change asked for anywhere
 * (a client's change request to the brief, an operator's proposal) opens a `spend` checkpoint of type
 * `budget_change` showing the old and the new limit; the approval sets it (budget-decisions.ts).
 */
import { actionHash } from '../checkpoints/action-hash.js';
import type { JobQueue } from '../../ports/job-queue.js';
import { openCheckpoint } from '../checkpoints/open-checkpoint.js';
import type { Checkpoint, Money, NewCheckpoint, Store } from '../../ports/store.js';

export const BUDGET_CHANGE = 'budget_change';

export interface BudgetChange {
  projectId: string;
  budget: Money;
  /** Who asks (an identity id, an agent, 'system'). */
  actor: string;
  reason: string;
}

/** The new limit a `budget_change` checkpoint asks for, or null when it is not one. */
export function requestedBudget(checkpoint: Checkpoint): Money | null {
  const details = checkpoint.request.details;
  if (checkpoint.kind !== 'spend' || details.type !== BUDGET_CHANGE) return null;
  const to = details.to as Partial<Money> | undefined;
  return typeof to?.amount === 'number' && typeof to.currency === 'string'
    ? { amount: to.amount, currency: to.currency }
    : null;
}

/**
 * Opens the checkpoint (null when the budget would not change). Without a job queue the checkpoint is
 * stored and audited like any other and listed for TOs (`olympus checkpoints list --pending`); its card
 * is posted when a queue is given.
 */
export async function proposeBudgetChange(
  store: Store,
  change: BudgetChange,
  jobs?: JobQueue,
): Promise<Checkpoint | null> {
  const project = await store.projects.get(change.projectId);
  if (!project) return null;
  const from = project.budget;
  if (from && from.amount === change.budget.amount && from.currency === change.budget.currency) return null;
  const pending = await store.checkpoints.list({ projectId: project.id, status: ['pending'] });
  const same = pending.find((c) => {
    const to = requestedBudget(c);
    return to !== null && to.amount === change.budget.amount && to.currency === change.budget.currency;
  });
  if (same) return same;
  const describe = (money: Money | null) => (money ? `${money.amount} ${money.currency}` : 'none');
  const checkpoint: NewCheckpoint = {
    projectId: project.id,
    kind: 'spend',
    requestedBy: change.actor,
    request: {
      title: `Change the budget of "${project.title}" to ${describe(change.budget)}?`,
      summary: `${change.reason}: the project's spending limit would go from ${describe(from)} to ${describe(change.budget)}. Approve = set the new limit; Reject = keep ${describe(from)}.`,
      details: {
        type: BUDGET_CHANGE,
        projectKey: project.key,
        from,
        to: change.budget,
        reason: change.reason,
      },
    },
  };
  if (jobs) return openCheckpoint({ store, jobs, checkpoint });
  const opened = await store.checkpoints.open({
    ...checkpoint,
    request: { ...checkpoint.request, actionHash: actionHash('spend', checkpoint.request.details) },
  });
  await store.audit.append({
    actor: change.actor,
    action: 'checkpoint.opened',
    subjectType: 'checkpoint',
    subjectId: opened.id,
    data: {
      kind: opened.kind,
      projectId: opened.projectId,
      taskId: null,
      title: opened.request.title,
      actionHash: opened.request.actionHash,
    },
  });
  return opened;
}
