/**
 * Turns job definitions into the runnable jobs a job queue registers: the payload is checked against the
 * definition's schema on enqueue, and each attempt runs through the fencing runner (job-runner.ts).
 */
import type { RunnableJob } from '../../ports/job-queue.js';
import type { JobDefinition } from './job-definition.js';
import { runJobAttempt, type JobRunnerOptions } from './job-runner.js';

export function runnableJob(definition: JobDefinition, options: JobRunnerOptions): RunnableJob {
  return {
    name: definition.name,
    concurrency: definition.concurrency,
    lockLifetimeMs: definition.lockLifetimeMs,
    maxRetries: definition.maxRetries,
    every: definition.every,
    validate(payload) {
      const parsed = definition.schema.safeParse(payload);
      return parsed.success
        ? { ok: true, payload: parsed.data as Record<string, unknown> }
        : { ok: false, problem: parsed.error.message };
    },
    run: (payload, attempt) => runJobAttempt(definition, payload, attempt, options),
  };
}

export function runnableJobs(definitions: JobDefinition[], options: JobRunnerOptions): RunnableJob[] {
  return definitions.map((definition) => runnableJob(definition, options));
}
