/**
 * Planning a project: brief → plan (decomposer) → `plan_review` checkpoint, project `planning →
 * awaiting_approval`. One planner per project at a time (a lease); safe to run again at any point:
 * a pending plan review is not opened twice. Without a language model that can plan, the project stays
 * `planning` and an audit event says why; no plan is invented.
 */
import { errorMessage } from '../common/errors.js';
import { openCheckpoint } from './checkpoints/open-checkpoint.js';
import type { Checkpoint, Project } from '../ports/store.js';
import { ORCHESTRATOR, type OrchestratorDeps } from './orchestrator-deps.js';
import { decompose, PLAN_TIER } from './plan/decompose.js';
import type { Plan } from './plan/plan-schema.js';

const PLAN_LEASE_MS = 10 * 60_000;
export const PLANNING_WAITING = 'project.planning_waiting';

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
    if (!deps.router.canServe(PLAN_TIER, { localOnly: project.localOnly })) {
      await waitForModel(deps, project);
      return;
    }
    const brief = await store.projects.getBrief(projectId);
    const last = reviews.at(-1);
    const revision =
      last?.status === 'modified'
        ? { changes: last.decision?.changes ?? '', previous: last.request.details.plan ?? null }
        : null;
    let result;
    try {
      result = await decompose(deps.router, {
        project,
        brief: brief?.content ?? {},
        revision,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      await store.audit.append({
        actor: ORCHESTRATOR,
        action: 'project.planning_failed',
        subjectType: 'project',
        subjectId: projectId,
        data: { error: errorMessage(error) },
      });
      throw error;
    }
    await proposePlan(deps, project, result.plan, {
      briefVersion: brief?.version ?? null,
      repaired: result.repaired,
      revisionOf: revision ? (last?.id ?? null) : null,
    });
  } finally {
    await store.leases.release(`plan:${projectId}`, lease.token);
  }
}

async function proposePlan(
  deps: OrchestratorDeps,
  project: Project,
  plan: Plan,
  meta: { briefVersion: number | null; repaired: boolean; revisionOf: string | null },
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
        summary: `${plan.summary}\n\n${renderTaskList(plan)}`,
        // `tasks` is what the Slack card lists as the task graph; `plan` is what approval stores.
        details: {
          plan,
          tasks: plan.tasks,
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

export function renderTaskList(plan: Plan): string {
  return plan.tasks
    .map((task) => {
      const after = task.dependsOn.length > 0 ? ` (after ${task.dependsOn.join(', ')})` : '';
      return `• ${task.key} [${task.role}${task.deploy ? ', deploy' : ''}]: ${task.title}${after}`;
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
