/**
 * What a decided checkpoint means for the project, run by the `checkpoint.decided` job after the one
 * decision handler stored the decision. Every step is a compare-and-set, so running it twice is harmless.
 *   plan_review: approve → tasks stored, project active, ready tasks dispatched;
 *                modify → project back to planning and re-planned with the TO's changes;
 *                reject → project on hold, the client told.
 *   question about a failed task: approve → retry, modify → skip (counts as done), reject → cancel.
 *   question about a failed planning round: approve → plan again, modify → plan again with the TO's
 *                guidance, reject → project on hold, the client told.
 *   any other checkpoint of a task (an agent's question, spend, deploy, credential): `task.resume`
 *   continues the task with the decision (a rejected spend or deploy cancels it there). A decision on
 *   the checkpoint of a task already parked on it does not come here: the decision handler enqueues
 *   that `task.resume` itself (checkpoints/decision-jobs.ts); this covers a task not parked yet.
 */
import { hasCode } from '../common/errors.js';
import type { Checkpoint, Project } from '../ports/store.js';
import { JOB_NAMES, taskRunJob } from '../ports/job-queue.js';
import { tellClient } from './client-notice.js';
import { requestDigest } from './digest/request-digest.js';
import { ORCHESTRATOR, type OrchestratorDeps } from './orchestrator-deps.js';
import { PlanSchema } from './plan/plan-schema.js';
import { advanceProject, audit } from './task-readiness.js';
import { PLAN_FAILED_QUESTION, TASK_FAILED_QUESTION } from './stalled-work.js';

export { TASK_FAILED_QUESTION };

export async function onCheckpointDecided(deps: OrchestratorDeps, checkpointId: string): Promise<void> {
  const checkpoint = await deps.store.checkpoints.get(checkpointId);
  if (!checkpoint || checkpoint.status === 'pending') return;
  if (checkpoint.kind === 'plan_review') await planDecided(deps, checkpoint);
  else if (checkpoint.kind === 'question' && checkpoint.request.details.purpose === TASK_FAILED_QUESTION)
    await failedTaskDecided(deps, checkpoint);
  else if (checkpoint.kind === 'question' && checkpoint.request.details.purpose === PLAN_FAILED_QUESTION)
    await failedPlanningDecided(deps, checkpoint);
  else if (checkpoint.taskId) await resumeWaitingTask(deps, checkpoint, checkpoint.taskId);
}

/**
 * A checkpoint an agent waits on (its question, a spend, a deploy, a credential): the task continues in
 * `task.resume`, which claims it only if it is still parked on this checkpoint.
 */
async function resumeWaitingTask(
  deps: OrchestratorDeps,
  checkpoint: Checkpoint,
  taskId: string,
): Promise<void> {
  const task = await deps.store.tasks.get(taskId);
  if (!task || task.status === 'done' || task.status === 'cancelled') return;
  await deps.jobs.enqueue(JOB_NAMES.taskResume, { taskId, checkpointId: checkpoint.id });
}

async function planDecided(deps: OrchestratorDeps, checkpoint: Checkpoint): Promise<void> {
  const { store } = deps;
  const project = await store.projects.get(checkpoint.projectId);
  if (!project) return;
  // Only the latest plan review speaks for the project; an older one was superseded by a re-plan.
  const reviews = (await store.checkpoints.list({ projectId: project.id }))
    .filter((candidate) => candidate.kind === 'plan_review')
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  if (reviews.at(-1)?.id !== checkpoint.id) return;
  const by = checkpoint.decision?.by ?? ORCHESTRATOR;
  if (checkpoint.status === 'approved') {
    if (project.status === 'awaiting_approval') await approvePlan(deps, project, checkpoint);
    await advanceProject(deps, project.id);
  } else if (checkpoint.status === 'modified') {
    const back = await store.projects.setStatus(project.id, ['awaiting_approval'], 'planning');
    if (!back) return;
    await projectEvent(deps, 'project.replanning', project, by, {
      checkpointId: checkpoint.id,
      changes: checkpoint.decision?.changes ?? null,
    });
    await deps.jobs.enqueue(JOB_NAMES.projectPlan, { projectId: project.id });
  } else if (checkpoint.status === 'rejected') {
    const held = await store.projects.setStatus(project.id, ['awaiting_approval'], 'on_hold');
    if (!held) return;
    const reason = checkpoint.decision?.reason;
    await projectEvent(deps, 'project.plan_rejected', project, by, {
      checkpointId: checkpoint.id,
      reason: reason ?? null,
    });
    await tellClient(
      store,
      held,
      `An operator reviewed the plan for "${project.title}" and sent it back${reason ? `: ${reason}` : '.'} The project is on hold; tell me what to change in the brief and the team will plan again.`,
      { jobs: deps.jobs, logger: deps.logger },
    );
  }
}

async function approvePlan(deps: OrchestratorDeps, project: Project, checkpoint: Checkpoint): Promise<void> {
  const { store } = deps;
  const plan = PlanSchema.parse(checkpoint.request.details.plan);
  const existing = await store.tasks.listByProject(project.id);
  if (existing.length === 0) {
    try {
      await store.tasks.createMany(
        project.id,
        plan.tasks.map((task) => ({
          key: task.key,
          role: task.role,
          title: task.title,
          spec: task.spec,
          acceptance: task.acceptance,
          dependsOn: task.dependsOn,
          status: 'pending' as const,
        })),
      );
    } catch (error) {
      // A concurrent approval stored them first.
      if (!hasCode(error, 'STORE_CONFLICT')) throw error;
    }
  }
  const active = await store.projects.setStatus(project.id, ['awaiting_approval'], 'active');
  if (!active) return;
  await projectEvent(deps, 'project.plan_approved', project, checkpoint.decision?.by ?? ORCHESTRATOR, {
    checkpointId: checkpoint.id,
    tasks: plan.tasks.length,
  });
  await tellClient(
    store,
    active,
    `The plan for "${project.title}" is approved: ${plan.tasks.length} tasks. The team has started; I'll tell you when it's done.`,
    { jobs: deps.jobs, logger: deps.logger },
  );
  await requestDigest(deps, project.id, 'plan_approved', checkpoint.id);
}

async function failedTaskDecided(deps: OrchestratorDeps, checkpoint: Checkpoint): Promise<void> {
  const { store } = deps;
  if (!checkpoint.taskId) return;
  const by = checkpoint.decision?.by ?? ORCHESTRATOR;
  const data = { checkpointId: checkpoint.id };
  if (checkpoint.status === 'approved') {
    const ready = await store.tasks.transition(checkpoint.taskId, ['failed'], 'ready');
    if (!ready) return;
    await audit(deps, 'task.retry', ready, data, by);
    await deps.jobs.enqueue(taskRunJob(ready.role), { taskId: ready.id });
    return;
  }
  const to = checkpoint.status === 'modified' ? 'done' : 'cancelled';
  const moved = await store.tasks.transition(checkpoint.taskId, ['failed'], to);
  if (!moved) return;
  await audit(deps, to === 'done' ? 'task.skipped' : 'task.cancelled', moved, data, by);
  await advanceProject(deps, moved.projectId);
}

/** A stalled planning round's question: plan again (with guidance), or hold the project. */
async function failedPlanningDecided(deps: OrchestratorDeps, checkpoint: Checkpoint): Promise<void> {
  const { store } = deps;
  const project = await store.projects.get(checkpoint.projectId);
  if (!project || project.status !== 'planning') return;
  const by = checkpoint.decision?.by ?? ORCHESTRATOR;
  if (checkpoint.status === 'approved' || checkpoint.status === 'modified') {
    await projectEvent(deps, 'project.replanning', project, by, {
      checkpointId: checkpoint.id,
      changes: checkpoint.decision?.changes ?? null,
    });
    await deps.jobs.enqueue(JOB_NAMES.projectPlan, { projectId: project.id });
    return;
  }
  const held = await store.projects.setStatus(project.id, ['planning'], 'on_hold');
  if (!held) return;
  const reason = checkpoint.decision?.reason;
  await projectEvent(deps, 'project.planning_abandoned', project, by, {
    checkpointId: checkpoint.id,
    reason: reason ?? null,
    outcome: checkpoint.status,
  });
  await tellClient(
    store,
    held,
    `An operator looked at the planning problem for "${project.title}" and put the project on hold${reason ? `: ${reason}` : '.'} Tell me what to change in the brief and the team will plan again.`,
    { jobs: deps.jobs, logger: deps.logger },
  );
}

async function projectEvent(
  deps: OrchestratorDeps,
  action: string,
  project: Project,
  actor: string,
  data: Record<string, unknown>,
): Promise<void> {
  await deps.store.audit.append({ actor, action, subjectType: 'project', subjectId: project.id, data });
}
