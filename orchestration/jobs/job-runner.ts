/**
 * Runs one attempt of a job: validates the stored payload, takes the attempt's fencing lease, keeps both
 * the queue's lock and the lease alive while the handler runs, and gives the lease back at the end (or,
 * through `onAbandon`, when a stopping queue gives up on the attempt).
 */
import { OlympusError, errorMessage } from '../../common/errors.js';
import { inSpan } from '../../common/tracing.js';
import type { Logger } from '../../common/logging/logger.js';
import type { JobAttempt } from '../../ports/job-queue.js';
import type { LeaseRepository } from '../../ports/store.js';
import type { JobContext, JobDefinition, JobFence } from './job-definition.js';

export interface JobRunnerOptions {
  leases: LeaseRepository;
  logger: Logger;
}

export function leaseKeyOf(jobId: string): string {
  return `job:${jobId}`;
}

export async function runJobAttempt(
  definition: JobDefinition,
  payload: unknown,
  attempt: JobAttempt,
  options: JobRunnerOptions,
): Promise<void> {
  const { jobId } = attempt;
  const logger = options.logger.child({ job: definition.name, jobId, correlationId: jobId });
  const parsed = definition.schema.safeParse(payload ?? {});
  if (!parsed.success) {
    throw new OlympusError(
      'VALIDATION',
      `job ${definition.name} has an invalid payload: ${parsed.error.message}`,
      {
        retryable: false,
      },
    );
  }
  const lifetime = attempt.lockLifetimeMs;
  const key = leaseKeyOf(jobId);
  // A handler that fences its own work (a task claim) needs no job lease: one round trip less per start.
  const lease =
    definition.fencing === 'handler' ? null : await options.leases.acquire(key, attempt.worker, lifetime);
  if (lease === null && definition.fencing !== 'handler') {
    // Another attempt still holds an unexpired lease: it is alive, so this delivery is a duplicate.
    throw new OlympusError('FENCED', `job ${definition.name} ${jobId} is already running elsewhere`, {
      retryable: true,
    });
  }
  if (lease !== null) attempt.onAbandon(() => options.leases.release(key, lease.token));
  const controller = new AbortController();
  const onStop = () => controller.abort(new OlympusError('FENCED', 'worker stopping', { retryable: true }));
  attempt.stopping.addEventListener('abort', onStop, { once: true });

  const fence: JobFence = {
    key,
    token: lease?.token ?? 0,
    async assertCurrent() {
      // Handler-fenced jobs check their own fence (e.g. the task claim's) where they commit.
      if (lease !== null && !(await options.leases.isCurrent(key, lease.token))) {
        throw new OlympusError('FENCED', `job ${definition.name} ${jobId}: a newer attempt has taken over`, {
          retryable: false,
        });
      }
    },
  };
  const heartbeat = setInterval(
    () => {
      void keepAlive(attempt, options.leases, key, lease?.token ?? null, lifetime).then((alive) => {
        if (!alive) {
          logger.warn('attempt fenced off: lease lost');
          controller.abort(new OlympusError('FENCED', 'lease lost', { retryable: false }));
        }
      });
    },
    Math.max(50, Math.floor(lifetime / 3)),
  );

  const context: JobContext = {
    jobId,
    attempt: attempt.attempt,
    logger,
    fence,
    signal: controller.signal,
  };
  const started = Date.now();
  try {
    await inSpan(
      `job ${definition.name}`,
      { 'olympus.job.id': jobId, 'olympus.job.attempt': context.attempt },
      () => definition.handler(parsed.data, context),
    );
    logger.debug('job finished', { durationMs: Date.now() - started });
  } catch (error) {
    logger.warn('job attempt failed', { durationMs: Date.now() - started, error: errorMessage(error) });
    throw error;
  } finally {
    clearInterval(heartbeat);
    attempt.stopping.removeEventListener('abort', onStop);
    if (lease !== null) {
      await options.leases.release(key, lease.token).catch((error: unknown) => {
        logger.warn('could not release job lease', { error: errorMessage(error) });
      });
    }
  }
}

async function keepAlive(
  attempt: JobAttempt,
  leases: LeaseRepository,
  key: string,
  token: number | null,
  lifetime: number,
) {
  try {
    const alive = token === null || (await leases.renew(key, token, lifetime));
    if (alive) await attempt.touch();
    return alive;
  } catch {
    // A transient store error is not a lost lease; the next beat tries again.
    return true;
  }
}
