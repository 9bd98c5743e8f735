/**
 * What a decided `spend` checkpoint means beyond its task, run before the task continues: by `task.resume`
 * when the decision went straight to the parked task, by `checkpoint.decided` otherwise. The decision is
 * audited on the project (a rejection with the TO's reason, so `olympus projects show` and the audit log
 * say why the task was cancelled), and a budget pause ends — the project is active again, so the task can
 * resume (approved) or be cancelled (rejected); further work past the limit asks again. Running it twice,
 * even at once from both jobs, records nothing twice: one run at a time holds the decision's lease.
 */
import { newId } from '../../common/ids.js';
import type { JobQueue } from '../../ports/job-queue.js';
import type { Checkpoint, Money, Store } from '../../ports/store.js';
import { requestedBudget } from './budget-change.js';
import { resumeAfterBudget } from './budget-pause.js';
import { spendDetails, type SpendDetails } from '../../ports/spend-details.js';

/** How long one run may hold a spend checkpoint's decision lease (it takes a few queries). */
const DECISION_LEASE_MS = 30_000;

export class BudgetDecisions {
  private readonly holder = `budget-decisions:${newId()}`;

  constructor(private readonly deps: { store: Store; jobs: JobQueue }) {}

  async checkpointDecided(checkpointId: string): Promise<void> {
    const { store } = this.deps;
    const checkpoint = await store.checkpoints.get(checkpointId);
    if (!checkpoint || checkpoint.status === 'pending') return;
    const budget = requestedBudget(checkpoint);
    if (budget) {
      await this.budgetChangeDecided(checkpoint, budget);
      return;
    }
    const spend = spendDetails(checkpoint);
    if (!spend) return;
    const key = `spend.decision:${checkpoint.id}`;
    const lease = await store.leases.acquire(key, this.holder, DECISION_LEASE_MS);
    // Another run is applying this decision right now. It finishes it (or, if its worker dies, its job
    // runs again once the lease has lapsed), and it ends with the task resumed or asked to resume.
    if (lease === null) return;
    try {
      await this.spendDecided(checkpoint, spend);
    } finally {
      await store.leases.release(key, lease.token);
    }
  }

  private async spendDecided(checkpoint: Checkpoint, spend: SpendDetails): Promise<void> {
    const { store } = this.deps;
    const action =
      checkpoint.status === 'rejected' || checkpoint.status === 'expired'
        ? 'spend.rejected'
        : 'spend.approved';
    const recorded = (await store.audit.list({ subjectId: checkpoint.projectId })).some(
      (event) => event.action === action && event.data.checkpointId === checkpoint.id,
    );
    if (!recorded) {
      const reason = checkpoint.decision?.reason ?? null;
      await store.audit.append({
        actor: checkpoint.decision?.by ?? 'system',
        action,
        subjectType: 'project',
        subjectId: checkpoint.projectId,
        data: {
          checkpointId: checkpoint.id,
          taskId: checkpoint.taskId,
          type: spend.type,
          reason: spend.reason,
          amount: spend.amount,
          currency: spend.currency,
          ...(action === 'spend.rejected' ? { decisionReason: reason, effect: 'the task is cancelled' } : {}),
        },
      });
    }
    // Any decision ends a budget pause (a rejection cancels only the task that asked).
    await resumeAfterBudget(store, this.deps.jobs, checkpoint.projectId, checkpoint);
  }

  /** An approved budget change sets the project's limit (once: setting the same limit again is a no-op). */
  private async budgetChangeDecided(checkpoint: Checkpoint, budget: Money): Promise<void> {
    const { store } = this.deps;
    if (checkpoint.status !== 'approved' && checkpoint.status !== 'modified') return;
    const project = await store.projects.get(checkpoint.projectId);
    if (!project) return;
    if (project.budget?.amount === budget.amount && project.budget.currency === budget.currency) return;
    await store.projects.setBudget(project.id, budget);
    await store.audit.append({
      actor: checkpoint.decision?.by ?? 'system',
      action: 'budget.changed',
      subjectType: 'project',
      subjectId: project.id,
      data: { checkpointId: checkpoint.id, from: project.budget, to: budget },
    });
  }
}
