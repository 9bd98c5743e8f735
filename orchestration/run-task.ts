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
import { DEFAULT_TASK_CALLS, ORCHESTRATOR, type OrchestratorDeps } from './orchestrator-deps.js';
import { tellClient } from './client-notice.js';
import { answerExcerpt, errorExcerpt, failureFacts, TASK_FAILED_QUESTION } from './stalled-work.js';
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
  const spent = await taskCalls(deps, claim.task);
  if (spent.calls >= spent.max) {
    // The task spent its model calls since its last retry: it stops for a TO now, whatever attempt it is.
    await attemptFailed(
      deps,
      claim,
      new OlympusError('AGENT_STEP_LIMIT', `task ${task.key} spent its ${spent.max} model calls`, {
        retryable: false,
        details: { calls: spent.calls },
      }),
      true,
    );
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
      modelCallsLeft: spent.max - spent.calls,
    });
  } catch (error) {
    const leaseLost = controller.signal.aborted && controller.signal.reason === LEASE_LOST;
    if (leaseLost || (hasCode(error, 'FENCED') && !context.signal?.aborted)) {
      logger.warn('task attempt fenced off', { taskId, fence: claim.fence });
      return;
    }
    // A run that spent the task's model calls stops for a TO now, not after more attempts.
    const capped = (error as { details?: { callCap?: unknown } }).details?.callCap === true;
    await attemptFailed(deps, claim, error, capped);
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
  // The task's digest is asked for before the project can complete: the completion digest comes after it.
  await requestDigest(deps, task.projectId, 'task_done', task.id);
  await advanceProject(deps, task.projectId);
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

/**
 * Model calls the task spent since a TO last answered its failure question with a retry (its ledger
 * entries), against the cap.
 */
async function taskCalls(deps: OrchestratorDeps, task: Task): Promise<{ calls: number; max: number }> {
  const [entries, checkpoints] = await Promise.all([
    deps.store.ledger.list({ taskId: task.id }),
    deps.store.checkpoints.list({ projectId: task.projectId }),
  ]);
  const retried = checkpoints
    .filter(
      (checkpoint) =>
        checkpoint.taskId === task.id &&
        checkpoint.kind === 'question' &&
        checkpoint.request.details.purpose === TASK_FAILED_QUESTION &&
        checkpoint.status === 'approved',
    )
    .map((checkpoint) => checkpoint.decidedAt?.getTime() ?? 0);
  const since = Math.max(0, ...retried);
  return {
    calls: entries.filter((entry) => entry.kind === 'llm' && entry.at.getTime() >= since).length,
    max: deps.settings.maxTaskCalls ?? DEFAULT_TASK_CALLS,
  };
}

/** The model's last answer for a failed task: from the error, else from the loop's stored state. */
async function lastAnswerOf(deps: OrchestratorDeps, task: Task, error: unknown): Promise<string | null> {
  const fromError = failureFacts(error).lastAnswer;
  if (fromError) return fromError;
  const state = (await deps.store.tasks.getProgress(task.id))?.state as
    | { messages?: { role?: unknown; content?: unknown }[]; pending?: { text?: unknown } | null }
    | null
    | undefined;
  if (typeof state?.pending?.text === 'string' && state.pending.text.length > 0) return state.pending.text;
  const last = [...(state?.messages ?? [])].reverse().find((message) => message.role === 'assistant');
  return typeof last?.content === 'string' && last.content.length > 0 ? last.content : null;
}

async function attemptFailed(
  deps: OrchestratorDeps,
  claim: TaskClaim,
  error: unknown,
  forceLast = false,
): Promise<void> {
  const { store } = deps;
  const { task, fence } = claim;
  const message = errorMessage(error);
  const last = forceLast || task.attempts >= deps.settings.maxTaskAttempts;
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
  const { calls } = await taskCalls(deps, task);
  const shownError = errorExcerpt(message, deps.redactor);
  const lastAnswer = answerExcerpt(await lastAnswerOf(deps, task, error), deps.redactor);
  const checkpoint = await openCheckpoint({
    store,
    jobs: deps.jobs,
    checkpoint: {
      projectId: task.projectId,
      taskId: task.id,
      kind: 'question',
      requestedBy: ORCHESTRATOR,
      request: {
        title: `Task "${task.title}" failed ${task.attempts} times`,
        summary: [
          `${task.role}'s task ${task.key} failed after ${task.attempts} attempts and ${calls} model calls: ${shownError}`,
          lastAnswer ? `The model's last answer:\n${lastAnswer}` : "The model's last answer: none recorded.",
          'Approve = retry it, Modify = skip it (its dependents go ahead), Reject = cancel it and its dependents.',
        ].join('\n\n'),
        details: {
          purpose: TASK_FAILED_QUESTION,
          taskKey: task.key,
          attempts: task.attempts,
          error: shownError,
          lastAnswer,
          modelCalls: calls,
          options: { approve: 'retry', modify: 'skip', reject: 'cancel' },
        },
      },
    },
  });
  const project = await store.projects.get(task.projectId);
  if (project) {
    await tellClient(
      store,
      project,
      `A step of "${project.title}" has run into a problem: "${task.title}" kept failing, so the team stopped it and an operator has been asked to decide whether to retry it, skip it or cancel it. I'll tell you how it goes.`,
      {
        jobs: deps.jobs,
        logger: deps.logger,
        effectId: `notice:${project.id}:task-stalled:${checkpoint.id}`,
      },
    );
  }
}

async function dependencyResults(deps: OrchestratorDeps, task: Task) {
  if (task.dependsOn.length === 0) return [];
  const all = await deps.store.tasks.listByProject(task.projectId);
  return all
    .filter((other) => task.dependsOn.includes(other.id))
    .map((other) => ({ key: other.key, title: other.title, artifacts: other.artifacts }));
}
