/**
 * What a decided `spend` checkpoint means beyond its task (run by the `checkpoint.decided` job, before
 * the task resumes): the decision is audited on the project (a rejection with the TO's reason, so
 * `olympus projects show` and the audit log say why the task was cancelled), and a budget pause ends — the
 * project is active again, so the task can resume (approved) or be cancelled (rejected); further work
 * past the limit asks again. Running it twice records nothing twice.
 */
import type { JobQueue } from '../../ports/job-queue.js';
import type { Checkpoint, Money, Store } from '../../ports/store.js';
import { requestedBudget } from './budget-change.js';
import { resumeAfterBudget } from './budget-pause.js';
import { spendDetails } from '../../ports/spend-details.js';

export class BudgetDecisions {
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
