/**
 * Planning a project: brief → plan (decomposer) → `plan_review` checkpoint, project `planning →
 * awaiting_approval`. One planner per project at a time (a lease); safe to run again at any point:
 * a pending plan review is not opened twice. Without a language model that can plan, the project stays
 * `planning` and an audit event says why; no plan is invented.
 *
 * A planning round is bounded: it spends at most `maxPlanCalls` model calls (counted in the ledger, the
 * decomposer's repairs included) and `maxPlanAttempts` failed attempts. A failed attempt with calls and
 * attempts left throws a retryable error, so the `project.plan` job backs off and tries again; the last
 * one ends the round in a visible state instead (plan-stalled.ts): a `question` checkpoint for the TO with
 * the model's last answer and the error, and a notice to the client. Nothing plans again until a TO
 * answers it; that answer starts a new round.
 */
import { errorMessage, OlympusError } from '../common/errors.js';
import { openCheckpoint } from './checkpoints/open-checkpoint.js';
import type { Checkpoint, Project } from '../ports/store.js';
import { ORCHESTRATOR, type OrchestratorDeps } from './orchestrator-deps.js';
import { decompose, PLAN_TIER } from './plan/decompose.js';
import { coverLabels, type BriefItem } from './plan/brief-coverage.js';
import type { Plan } from './plan/plan-schema.js';
import { onCheckpointDecided } from './plan-decision.js';
import { planRound, stallPlanning, type PlanRound } from './plan-stalled.js';
import { failureFacts } from './stalled-work.js';

const PLAN_LEASE_MS = 10 * 60_000;
export const PLANNING_WAITING = 'project.planning_waiting';
export const PLANNING_FAILED = 'project.planning_failed';

export async function planProject(
  deps: OrchestratorDeps,
  projectId: string,
  signal?: AbortSignal,
): Promise<void> {
  const { store } = deps;
  const lease = await store.leases.acquire(`plan:${projectId}`, deps.holder, PLAN_LEASE_MS);
  if (!lease) return;
  try {
    const project = await store.projects.get(projectId);
    if (!project || project.status !== 'planning') return;
    const reviews = await planReviews(deps, projectId);
    if (reviews.some((review) => review.status === 'pending')) {
      await store.projects.setStatus(projectId, ['planning'], 'awaiting_approval');
      return;
    }
    const round = await planRound(deps, project);
    // A stalled round waits for the TO's answer to its question; nothing plans meanwhile.
    if (round.waitingOn) return;
    if (round.endedBy) {
      // A TO rejected the stalled round and the job that applies it was lost: apply it here.
      await onCheckpointDecided(deps, round.endedBy);
      return;
    }
    if (!deps.router.canServe(PLAN_TIER, { localOnly: project.localOnly })) {
      await waitForModel(deps, project);
      return;
    }
    if (round.calls >= round.maxCalls || round.failures >= round.maxAttempts) {
      // A round spent before its stall was recorded (a crash between the two): record it now.
      await stallPlanning(deps, project, round, round.lastFailure);
      return;
    }
    const brief = await store.projects.getBrief(projectId);
    const last = reviews.at(-1);
    const revision =
      last?.status === 'modified' && last.decidedAt && last.decidedAt.getTime() >= round.startedAt
        ? { changes: last.decision?.changes ?? '', previous: last.request.details.plan ?? null }
        : null;
    let result;
    try {
      result = await decompose(deps.router, {
        project,
        brief: brief?.content ?? {},
        revision,
        guidance: round.guidance,
        maxCalls: round.maxCalls - round.calls,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      if (signal?.aborted) throw error;
      await planningFailed(deps, project, round, error);
      return;
    }
    await proposePlan(deps, project, result.plan, {
      briefVersion: brief?.version ?? null,
      repaired: result.repaired,
      revisionOf: revision ? (last?.id ?? null) : null,
      items: result.items,
    });
  } finally {
    await store.leases.release(`plan:${projectId}`, lease.token);
  }
}

/**
 * A failed attempt is audited with what the model answered; with calls and attempts left it throws (the
 * job backs off and retries), else the round stalls for a TO.
 */
async function planningFailed(
  deps: OrchestratorDeps,
  project: Project,
  round: PlanRound,
  error: unknown,
): Promise<void> {
  const facts = failureFacts(error);
  const after = await planRound(deps, project);
  const failure = {
    error: errorMessage(error),
    code: (error as { code?: unknown }).code ?? null,
    problemCodes: facts.codes,
    lastAnswer: facts.lastAnswer,
    problem: facts.problem,
    calls: after.calls,
  };
  await deps.store.audit.append({
    actor: ORCHESTRATOR,
    action: PLANNING_FAILED,
    subjectType: 'project',
    subjectId: project.id,
    data: { ...failure, attempt: round.failures + 1, lastAnswer: facts.lastAnswer?.slice(0, 4000) ?? null },
  });
  const spent = after.calls >= after.maxCalls || round.failures + 1 >= after.maxAttempts;
  if (spent) {
    await stallPlanning(deps, project, { ...after, failures: round.failures + 1 }, failure);
    return;
  }
  throw new OlympusError('LLM_OUTPUT_INVALID', `planning attempt failed: ${failure.error}`, {
    retryable: true,
    cause: error,
    details: { calls: after.calls, maxCalls: after.maxCalls },
  });
}

async function proposePlan(
  deps: OrchestratorDeps,
  project: Project,
  plan: Plan,
  meta: { briefVersion: number | null; repaired: boolean; revisionOf: string | null; items: BriefItem[] },
): Promise<void> {
  const { store } = deps;
  const roles = [...new Set(plan.tasks.map((task) => task.role))];
  const checkpoint = await openCheckpoint({
    store,
    jobs: deps.jobs,
    checkpoint: {
      projectId: project.id,
      kind: 'plan_review',
      requestedBy: ORCHESTRATOR,
      request: {
        title: `Plan for "${project.title}": ${plan.tasks.length} tasks`,
        summary: `${plan.summary}\n\n${renderTaskList(plan, meta.items)}`,
        // `tasks` is what the Slack card lists as the task graph (each with the brief items it covers);
        // `plan` is what approval stores.
        details: {
          plan,
          tasks: plan.tasks.map((task) => ({ ...task, coverLabels: coverLabels(task.covers, meta.items) })),
          briefItems: meta.items,
          briefVersion: meta.briefVersion,
          roles,
          revisionOf: meta.revisionOf,
        },
      },
    },
  });
  await store.projects.setStatus(project.id, ['planning'], 'awaiting_approval');
  await store.audit.append({
    actor: ORCHESTRATOR,
    action: 'project.plan_proposed',
    subjectType: 'project',
    subjectId: project.id,
    data: {
      checkpointId: checkpoint.id,
      tasks: plan.tasks.length,
      roles,
      repaired: meta.repaired,
      revisionOf: meta.revisionOf,
    },
  });
}

export function renderTaskList(plan: Plan, items: BriefItem[] = []): string {
  return plan.tasks
    .map((task) => {
      const after = task.dependsOn.length > 0 ? ` (after ${task.dependsOn.join(', ')})` : '';
      const covers = task.covers.length > 0 ? ` — covers ${coverLabels(task.covers, items).join('; ')}` : '';
      return `• ${task.key} [${task.role}${task.deploy ? ', deploy' : ''}]: ${task.title}${after}${covers}`;
    })
    .join('\n');
}

async function planReviews(deps: OrchestratorDeps, projectId: string): Promise<Checkpoint[]> {
  const all = await deps.store.checkpoints.list({ projectId });
  return all
    .filter((checkpoint) => checkpoint.kind === 'plan_review')
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

/** Records once (until something else happens to the project) that planning waits for a model. */
async function waitForModel(deps: OrchestratorDeps, project: Project): Promise<void> {
  const events = await deps.store.audit.list({ subjectId: project.id });
  if (events.at(-1)?.action === PLANNING_WAITING) return;
  const reason = project.localOnly
    ? `no local language model serves the "${PLAN_TIER}" tier (this project is local-only)`
    : `no language model is configured for the "${PLAN_TIER}" tier (set OLLAMA_HOST or OPENAI_API_KEY)`;
  deps.logger.warn('planning waits for a language model', { projectId: project.id, reason });
  await deps.store.audit.append({
    actor: ORCHESTRATOR,
    action: PLANNING_WAITING,
    subjectType: 'project',
    subjectId: project.id,
    data: { reason, status: 'planning' },
  });
}
