/**
 * A project's planning round and how it ends when it cannot produce a plan. A round starts when the
 * project is first planned, and again at each TO answer that asks for a new plan (a `modify` on a plan
 * review, an approve or modify on a failed round's question). Its model calls are the ledger's `plan`
 * entries since then; its failures the `project.planning_failed` events since then. A spent round opens
 * one `plan_failed` question (the error, the model's last answer, the calls spent) and tells the client.
 */
import { openCheckpoint } from './checkpoints/open-checkpoint.js';
import { tellClient } from './client-notice.js';
import type { Checkpoint, Project } from '../ports/store.js';
import {
  DEFAULT_PLAN_ATTEMPTS,
  DEFAULT_PLAN_CALLS,
  ORCHESTRATOR,
  type OrchestratorDeps,
} from './orchestrator-deps.js';
import { answerExcerpt, errorExcerpt, PLAN_FAILED_QUESTION, planFailureInWords } from './stalled-work.js';

const FAILED_ACTION = 'project.planning_failed';

export interface PlanFailure {
  error: string;
  code: unknown;
  problemCodes: string[];
  lastAnswer: string | null;
  problem: string | null;
}

export interface PlanRound {
  /** Epoch ms the round started (0: the project's first round). */
  startedAt: number;
  /** Model calls spent in this round (ledger entries of purpose `plan`). */
  calls: number;
  /** Failed attempts in this round. */
  failures: number;
  maxCalls: number;
  maxAttempts: number;
  /** The pending `plan_failed` question this round stopped at, if any. */
  waitingOn: string | null;
  /** The rejected or expired `plan_failed` question that ended planning, if its effect is not applied yet. */
  endedBy: string | null;
  /** A TO's guidance for this round (a `modify` on the last round's question). */
  guidance: string | null;
  /** What the last failed attempt of this round recorded. */
  lastFailure: PlanFailure | null;
}

const isPlanQuestion = (checkpoint: Checkpoint) =>
  checkpoint.kind === 'question' && checkpoint.request.details.purpose === PLAN_FAILED_QUESTION;

export async function planRound(deps: OrchestratorDeps, project: Project): Promise<PlanRound> {
  const { store, settings } = deps;
  const [checkpoints, ledger, events] = await Promise.all([
    store.checkpoints.list({ projectId: project.id }),
    store.ledger.list({ projectId: project.id }),
    store.audit.list({ subjectId: project.id }),
  ]);
  const decided = checkpoints
    .filter(
      (checkpoint) =>
        (checkpoint.kind === 'plan_review' && checkpoint.status === 'modified') ||
        (isPlanQuestion(checkpoint) && checkpoint.status !== 'pending'),
    )
    .sort((a, b) => (a.decidedAt?.getTime() ?? 0) - (b.decidedAt?.getTime() ?? 0));
  const newest = decided.at(-1);
  // A rejected (or expired) question ends planning: the project goes on hold, no new round starts.
  const ended = newest && isPlanQuestion(newest) && !['approved', 'modified'].includes(newest.status);
  const latest = decided
    .filter((checkpoint) => checkpoint.status === 'modified' || checkpoint.status === 'approved')
    .at(-1);
  const startedAt = latest?.decidedAt?.getTime() ?? 0;
  const failures = events.filter(
    (event) => event.action === FAILED_ACTION && event.at.getTime() >= startedAt,
  );
  const last = failures.at(-1)?.data;
  return {
    startedAt,
    calls: ledger.filter(
      (entry) => entry.kind === 'llm' && entry.meta.purpose === 'plan' && entry.at.getTime() >= startedAt,
    ).length,
    failures: failures.length,
    maxCalls: settings.maxPlanCalls ?? DEFAULT_PLAN_CALLS,
    maxAttempts: settings.maxPlanAttempts ?? DEFAULT_PLAN_ATTEMPTS,
    waitingOn:
      checkpoints.find((checkpoint) => isPlanQuestion(checkpoint) && checkpoint.status === 'pending')?.id ??
      null,
    endedBy: ended ? newest.id : null,
    guidance:
      latest && isPlanQuestion(latest) && latest.status === 'modified'
        ? (latest.decision?.changes ?? null)
        : null,
    lastFailure: last
      ? {
          error: typeof last.error === 'string' ? last.error : 'planning failed',
          code: last.code ?? null,
          problemCodes: Array.isArray(last.problemCodes) ? (last.problemCodes as string[]) : [],
          lastAnswer: typeof last.lastAnswer === 'string' ? last.lastAnswer : null,
          problem: typeof last.problem === 'string' ? last.problem : null,
        }
      : null,
  };
}

/** Ends a spent round: one `plan_failed` question for the TOs, an audit event, a notice to the client. */
export async function stallPlanning(
  deps: OrchestratorDeps,
  project: Project,
  round: PlanRound,
  failure: PlanFailure | null,
): Promise<Checkpoint> {
  const { store, redactor } = deps;
  const error = errorExcerpt(failure?.error ?? 'no usable plan', redactor);
  const lastAnswer = answerExcerpt(failure?.lastAnswer, redactor);
  const problem = failure?.problem ? errorExcerpt(failure.problem, redactor) : null;
  const spent = `${round.calls} of ${round.maxCalls} model calls, ${round.failures} failed attempt${round.failures === 1 ? '' : 's'}`;
  const why = planFailureInWords(
    typeof failure?.code === 'string' ? failure.code : null,
    failure?.problemCodes ?? [],
  );
  const checkpoint = await openCheckpoint({
    store,
    jobs: deps.jobs,
    checkpoint: {
      projectId: project.id,
      taskId: null,
      kind: 'question',
      requestedBy: ORCHESTRATOR,
      request: {
        title: `Planning "${project.title}" failed: no usable plan after ${round.calls} model calls`,
        summary: [
          `The planner stopped (${spent}). Error: ${error}`,
          lastAnswer ? `The model's last answer:\n${lastAnswer}` : "The model's last answer: none recorded.",
          'Approve = plan again (a new round), Modify = plan again with your guidance to the planner, Reject = put the project on hold and tell the client.',
        ].join('\n\n'),
        details: {
          purpose: PLAN_FAILED_QUESTION,
          error,
          reason: `The planner could not turn the brief into a usable plan: ${why}.`,
          problem,
          lastAnswer,
          modelCalls: round.calls,
          maxModelCalls: round.maxCalls,
          failedAttempts: round.failures,
          options: { approve: 'plan again', modify: 'plan again with guidance', reject: 'hold the project' },
        },
      },
    },
  });
  await store.audit.append({
    actor: ORCHESTRATOR,
    action: 'project.planning_stalled',
    subjectType: 'project',
    subjectId: project.id,
    data: { checkpointId: checkpoint.id, modelCalls: round.calls, failedAttempts: round.failures, error },
  });
  deps.logger.warn('planning stopped for a TO', {
    projectId: project.id,
    checkpointId: checkpoint.id,
    modelCalls: round.calls,
  });
  await tellClient(
    store,
    project,
    `I'm sorry: planning "${project.title}" has run into a problem. The team's planner could not turn your brief into a usable plan (${why}), so it has stopped trying and an operator has been asked to look at it. Nothing more is spent on it until they do; I'll tell you as soon as there is a plan.`,
    { jobs: deps.jobs, logger: deps.logger, effectId: `notice:${project.id}:plan-stalled:${checkpoint.id}` },
  );
  return checkpoint;
}
