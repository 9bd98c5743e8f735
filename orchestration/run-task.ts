/**
 * One attempt of a task (`task.run.<role>` job), or its continuation after a checkpoint decision
 * (`task.resume`): claim it with a fence, keep the claim alive while the agent's loop works, and end with
 * the same fence (a stale attempt cannot commit). The loop stores its state with the task at every step,
 * so a re-claim after a crash (the lease lapsed) continues from the last stored step. When the agent waits
 * on a checkpoint the task is parked as `waiting_checkpoint` and the job ends; a rejected spend or deploy
 * checkpoint cancels the task (its dependents are cancelled by readiness). A failed attempt puts the task
 * back to `ready` and throws a retryable error, so the job is retried with backoff; after the last attempt
 * the task is `failed` and a `question` checkpoint asks a TO to retry, skip or cancel it.
 */
import type { AgentRunResult, LoopProgress } from '../agents/specialists/agent-step.js';
import { errorMessage, hasCode, OlympusError } from '../common/errors.js';
import { openCheckpoint } from './checkpoints/open-checkpoint.js';
import type { Task, TaskClaim } from '../ports/store.js';
import { JOB_NAMES, taskRunJob } from '../ports/job-queue.js';
import { ORCHESTRATOR, type OrchestratorDeps } from './orchestrator-deps.js';
import { TASK_FAILED_QUESTION } from './stalled-work.js';
import { advanceProject, audit } from './task-readiness.js';
import { requestDigest } from './digest/request-digest.js';

const LEASE_LOST = new OlympusError('FENCED', 'task lease lost', { retryable: false });

export interface TaskAttemptContext {
  /** Names this attempt in the task's lease. */
  holder: string;
  signal?: AbortSignal;
  /** Resume a task waiting on this (decided) checkpoint instead of claiming a ready one. */
  resumeFrom?: string;
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
  const claim =
    (context.resumeFrom === undefined
      ? null
      : await store.tasks.claimWaiting(
          taskId,
          context.resumeFrom,
          context.holder,
          deps.settings.taskLeaseMs,
        )) ?? (await store.tasks.claim(taskId, context.holder, deps.settings.taskLeaseMs));
  if (!claim) {
    // Held by an attempt whose lease is still running: alive, or a worker that died moments ago. Try
    // again after the job's backoff; by then it has finished (nothing to do) or its lease has lapsed.
    const now = await store.tasks.get(taskId);
    if (now?.status === 'running' && (now.leaseExpiresAt?.getTime() ?? 0) > Date.now()) {
      throw new OlympusError('FENCED', `task ${now.key} is held by ${now.leaseHolder ?? 'another attempt'}`, {
        retryable: true,
      });
    }
    if (now?.status === 'done') await finishInterrupted(deps, now);
    return;
  }
  await audit(
    deps,
    context.resumeFrom === undefined ? 'task.started' : 'task.resumed',
    claim.task,
    {
      attempt: claim.task.attempts,
      fence: claim.fence,
      ...(context.resumeFrom === undefined ? {} : { checkpointId: context.resumeFrom }),
    },
    task.role,
  );
  const controller = new AbortController();
  const abort = () => controller.abort(context.signal?.reason);
  context.signal?.addEventListener('abort', abort, { once: true });
  const heartbeat = setInterval(
    () => {
      void store.tasks.heartbeat(taskId, claim.fence, deps.settings.taskLeaseMs).then(
        (alive) => {
          if (!alive) controller.abort(LEASE_LOST);
        },
        () => undefined,
      );
    },
    Math.max(50, Math.floor(deps.settings.taskLeaseMs / 3)),
  );
  let result: AgentRunResult;
  try {
    const inputs = await dependencyResults(deps, claim.task);
    result = await deps.agents.run(manifest, {
      project,
      task: claim.task,
      inputs,
      progress: fencedProgress(deps, claim),
      signal: controller.signal,
    });
  } catch (error) {
    const leaseLost = controller.signal.aborted && controller.signal.reason === LEASE_LOST;
    if (leaseLost || (hasCode(error, 'FENCED') && !context.signal?.aborted)) {
      logger.warn('task attempt fenced off', { taskId, fence: claim.fence });
      return;
    }
    await attemptFailed(deps, claim, error);
    return;
  } finally {
    clearInterval(heartbeat);
    context.signal?.removeEventListener('abort', abort);
  }
  if (result.kind === 'waiting') {
    const waiting = await store.tasks.finish(taskId, claim.fence, { status: 'waiting_checkpoint' });
    if (waiting) await audit(deps, 'task.waiting', waiting, { checkpointId: result.checkpointId }, task.role);
    // A decision stored before the task was parked found no parked task (it went to `checkpoint.decided`
    // instead of straight to `task.resume`): look again.
    const checkpoint = await store.checkpoints.get(result.checkpointId);
    if (waiting && checkpoint && checkpoint.status !== 'pending')
      await deps.jobs.enqueue(JOB_NAMES.taskResume, { taskId, checkpointId: checkpoint.id });
    return;
  }
  if (result.kind === 'cancelled') {
    const cancelled = await store.tasks.finish(taskId, claim.fence, {
      status: 'cancelled',
      error: `cancelled: ${result.reason}`,
    });
    if (!cancelled) return;
    const checkpoint = await store.checkpoints.get(result.checkpointId);
    await audit(
      deps,
      'task.cancelled',
      cancelled,
      { checkpointId: result.checkpointId, reason: result.reason },
      checkpoint?.decision?.by ?? ORCHESTRATOR,
    );
    await advanceProject(deps, task.projectId);
    return;
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
    {
      attempt: finished.attempts,
      artifacts: result.artifacts.length,
      steps: result.steps,
      summary: result.summary,
    },
    task.role,
  );
  await advanceProject(deps, task.projectId);
  await requestDigest(deps, task.projectId, 'task_done', task.id);
}

/**
 * A worker that died right after storing a task as done may not have audited it, advanced the project
 * or enqueued the tasks that became ready; the job's re-run does what is missing (no-ops when done).
 */
async function finishInterrupted(deps: OrchestratorDeps, task: Task): Promise<void> {
  const events = await deps.store.audit.list({ subjectId: task.id });
  if (!events.some((event) => event.action === 'task.done'))
    await audit(
      deps,
      'task.done',
      task,
      { attempt: task.attempts, artifacts: task.artifacts.length },
      task.role,
    );
  await advanceProject(deps, task.projectId);
  // Tasks it made ready may have lost their job with the worker; a second job for one is harmless.
  for (const other of await deps.store.tasks.listByProject(task.projectId)) {
    if (other.status === 'ready') await deps.jobs.enqueue(taskRunJob(other.role), { taskId: other.id });
  }
}

/** The loop's progress store for one attempt: every write is fenced by the attempt's claim. */
function fencedProgress(deps: OrchestratorDeps, claim: TaskClaim): LoopProgress {
  const { store } = deps;
  const { task, fence } = claim;
  return {
    async load() {
      return (await store.tasks.getProgress(task.id))?.state ?? null;
    },
    async save(state, waitingOn) {
      if (!(await store.tasks.saveProgress(task.id, fence, { state, waitingOn }))) {
        throw new OlympusError('FENCED', `task ${task.key}: a newer attempt holds the task`, {
          retryable: false,
        });
      }
    },
  };
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
