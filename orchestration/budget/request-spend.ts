/**
 * The one spend rule, for LLM calls (the loop's SpendGate) and external spend (`estimate_spend`): a call
 * goes ahead unless its amount passes the auto-approve threshold or it would take the project past 100%
 * of its budget; then a `spend` checkpoint shows the TO the amount against the budget and the work waits.
 * A call is identified by task, step (and tool call id), so a replayed step finds its checkpoint again
 * instead of opening a second one.
 */
import { isDeepStrictEqual } from 'node:util';
import { openCheckpoint } from '../checkpoints/open-checkpoint.js';
import type { SpendRequest, SpendVerdict } from '../../ports/agent-gateways.js';
import type { JobQueue } from '../../ports/job-queue.js';
import { spendDetails, type SpendReason } from '../../ports/spend-details.js';
import type { Checkpoint, Store } from '../../ports/store.js';
import { pauseForBudget, resumeAfterBudget } from './budget-pause.js';
import type { BudgetSettings } from './budget-settings.js';
import { projectSpend, round } from './project-spend.js';

export interface BudgetDeps {
  store: Store;
  jobs: JobQueue;
  settings: BudgetSettings;
}

export async function requestSpend(deps: BudgetDeps, request: SpendRequest): Promise<SpendVerdict> {
  const { store } = deps;
  const earlier = await findSpendCheckpoint(store, request);
  if (earlier) {
    if (earlier.status === 'pending') {
      // A crash between opening the checkpoint and pausing the project must not leave the project running.
      if (spendDetails(earlier)?.reason === 'budget_reached') {
        const project = (await store.projects.get(request.project.id)) ?? request.project;
        await pauseForBudget(store, project, earlier, await projectSpend(store, project));
      }
      return { kind: 'wait', checkpoint: earlier };
    }
    if (earlier.status === 'approved' || earlier.status === 'modified') {
      await resumeAfterBudget(store, deps.jobs, request.project.id, earlier);
      return { kind: 'go', autoApproved: false, checkpoint: earlier };
    }
    return { kind: 'rejected', checkpoint: earlier };
  }
  const project = (await store.projects.get(request.project.id)) ?? request.project;
  const spend = await projectSpend(store, project);
  const amount = round(request.amount);
  const pastLimit = spend.limit !== null && (spend.spent + amount > spend.limit || spend.pausedBy !== null);
  const aboveThreshold = amount > deps.settings.autoApprove;
  if (!pastLimit && !aboveThreshold) return { kind: 'go', autoApproved: true, checkpoint: null };

  const reason: SpendReason = pastLimit ? 'budget_reached' : 'above_threshold';
  const allowance =
    pastLimit && spend.budget !== null
      ? round(Math.max(amount, spend.budget * deps.settings.overrunShare))
      : undefined;
  const percent = spend.budget ? Math.round((spend.spent / spend.budget) * 100) : null;
  const money = (value: number) => `${value} ${spend.currency}`;
  const what = request.type === 'llm_call' ? 'a language-model call' : `external spend (${request.purpose})`;
  const budgetText =
    spend.budget === null
      ? 'The project has no budget.'
      : `Spent ${money(spend.spent)} of a ${money(spend.budget)} budget (${percent}%).`;
  const summary =
    reason === 'budget_reached'
      ? `${request.task.role}'s task ${request.task.key} asks for ${what} of ${money(amount)}, which would take the project past 100% of its budget. ${budgetText} All work of the project is paused until a TO decides. Approve = allow up to ${money(allowance ?? amount)} more than the budget; Reject = cancel the task.`
      : `${request.task.role}'s task ${request.task.key} asks for ${what} of ${money(amount)}, above the auto-approve threshold of ${money(deps.settings.autoApprove)}. ${budgetText} Approve = go ahead; Reject = cancel the task.`;
  const checkpoint = await openCheckpoint({
    store,
    jobs: deps.jobs,
    checkpoint: {
      projectId: project.id,
      taskId: request.task.id,
      kind: 'spend',
      requestedBy: request.actor,
      request: {
        title:
          reason === 'budget_reached'
            ? `Budget reached on "${project.title}": approve ${money(amount)}?`
            : `Approve ${money(amount)} for ${request.task.key}?`,
        summary,
        details: {
          type: request.type,
          reason,
          amount,
          currency: spend.currency,
          budget: spend.budget,
          spent: spend.spent,
          limit: spend.limit,
          autoApproveThreshold: deps.settings.autoApprove,
          ...(allowance === undefined ? {} : { allowance }),
          purpose: request.purpose,
          ...(request.vendor === undefined ? {} : { vendor: request.vendor }),
          taskId: request.task.id,
          taskKey: request.task.key,
          call: request.call,
        },
      },
    },
  });
  if (reason === 'budget_reached') await pauseForBudget(store, project, checkpoint, spend);
  return { kind: 'wait', checkpoint };
}

async function findSpendCheckpoint(store: Store, request: SpendRequest): Promise<Checkpoint | null> {
  const all = await store.checkpoints.list({ projectId: request.project.id });
  const mine = all.filter(
    (checkpoint) =>
      checkpoint.taskId === request.task.id &&
      spendDetails(checkpoint)?.type === request.type &&
      isDeepStrictEqual(checkpoint.request.details.call, request.call),
  );
  return mine.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime()).at(-1) ?? null;
}
