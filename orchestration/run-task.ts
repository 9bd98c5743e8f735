/**
 * One attempt of a task (`task.run.<role>` job): claim it with a fence, keep the claim alive while the
 * agent works, and finish with the same fence (a stale attempt cannot commit). A failed attempt puts the
 * task back to `ready` and throws a retryable error, so the job is retried with backoff; after the last
 * attempt the task is `failed` and a `question` checkpoint asks a TO to retry, skip or cancel it.
 */
import { errorMessage, OlympusError } from '../common/errors.js';
import { openCheckpoint } from '../handlers/checkpoints/open-checkpoint.js';
import type { Task, TaskClaim } from '../storage/ports.js';
import { ORCHESTRATOR, type OrchestratorDeps } from './orchestrator-deps.js';
import { TASK_FAILED_QUESTION } from './plan-decision.js';
import { advanceProject, audit } from './task-readiness.js';

export interface TaskAttemptContext {
  /** Names this attempt in the task's lease. */
  holder: string;
  signal?: AbortSignal;
}

export async function runTask(
  deps: OrchestratorDeps,
  taskId: string,
  context: TaskAttemptContext,
): Promise<void> {
  const { store, logger } = deps;
  const task = await store.tasks.get(taskId);
  if (!task) return;
  const project = await store.projects.get(task.projectId);
  if (!project || project.status !== 'active') return;
  const manifest = deps.manifests[task.role];
  if (!deps.router.canServe(manifest.tier, { localOnly: project.localOnly })) {
    logger.warn('task waits for a language model', { taskId, tier: manifest.tier });
    return;
  }
  const claim = await store.tasks.claim(taskId, context.holder, deps.settings.taskLeaseMs);
  if (!claim) return;
  await audit(
    deps,
    'task.started',
    claim.task,
    { attempt: claim.task.attempts, fence: claim.fence },
    task.role,
  );
  const controller = new AbortController();
  const abort = () => controller.abort(context.signal?.reason);
  context.signal?.addEventListener('abort', abort, { once: true });
  const heartbeat = setInterval(
    () => {
      void store.tasks.heartbeat(taskId, claim.fence, deps.settings.taskLeaseMs).then(
        (alive) => {
          if (!alive) controller.abort(new OlympusError('FENCED', 'task lease lost', { retryable: false }));
        },
        () => undefined,
      );
    },
    Math.max(50, Math.floor(deps.settings.taskLeaseMs / 3)),
  );
  let result;
  try {
    const inputs = await dependencyResults(deps, claim.task);
    result = await deps.agents.run(manifest, {
      project,
      task: claim.task,
      inputs,
      signal: controller.signal,
    });
  } catch (error) {
    await attemptFailed(deps, claim, error);
    return;
  } finally {
    clearInterval(heartbeat);
    context.signal?.removeEventListener('abort', abort);
  }
  const finished = await store.tasks.finish(taskId, claim.fence, {
    status: 'done',
    artifacts: result.artifacts,
    cost: result.cost,
    error: null,
  });
  if (!finished) {
    logger.warn('stale task attempt: result dropped', { taskId, fence: claim.fence });
    return;
  }
  await audit(
    deps,
    'task.done',
    finished,
    { attempt: finished.attempts, artifacts: result.artifacts.length, summary: result.summary },
    task.role,
  );
  await advanceProject(deps, task.projectId);
}

async function attemptFailed(deps: OrchestratorDeps, claim: TaskClaim, error: unknown): Promise<void> {
  const { store } = deps;
  const { task, fence } = claim;
  const message = errorMessage(error);
  const last = task.attempts >= deps.settings.maxTaskAttempts;
  const finished = await store.tasks.finish(task.id, fence, {
    status: last ? 'failed' : 'ready',
    error: message,
  });
  if (!finished) return;
  await audit(deps, last ? 'task.failed' : 'task.attempt_failed', finished, {
    attempt: task.attempts,
    error: message,
  });
  if (!last) {
    throw new OlympusError('INTERNAL', `task ${task.key} attempt ${task.attempts} failed: ${message}`, {
      retryable: true,
      cause: error,
    });
  }
  await openCheckpoint({
    store,
    jobs: deps.jobs,
    checkpoint: {
      projectId: task.projectId,
      taskId: task.id,
      kind: 'question',
      requestedBy: ORCHESTRATOR,
      request: {
        title: `Task "${task.title}" failed ${task.attempts} times`,
        summary: `${task.role}'s task ${task.key} failed after ${task.attempts} attempts: ${message}\nApprove = retry it, Modify = skip it (its dependents go ahead), Reject = cancel it and its dependents.`,
        details: {
          purpose: TASK_FAILED_QUESTION,
          taskKey: task.key,
          attempts: task.attempts,
          error: message,
          options: { approve: 'retry', modify: 'skip', reject: 'cancel' },
        },
      },
    },
  });
}

async function dependencyResults(deps: OrchestratorDeps, task: Task) {
  if (task.dependsOn.length === 0) return [];
  const all = await deps.store.tasks.listByProject(task.projectId);
  return all
    .filter((other) => task.dependsOn.includes(other.id))
    .map((other) => ({ key: other.key, title: other.title, artifacts: other.artifacts }));
}
