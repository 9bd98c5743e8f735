/** What a job is: a name, a payload schema, limits, and a handler that runs with a fencing context. */
import type { z } from 'zod';
import type { Logger } from '../../common/logging/logger.js';

export interface JobFence {
  /** Lease key of this job's attempts. */
  readonly key: string;
  /** Fencing token of this attempt; a later attempt holds a larger one. */
  readonly token: number;
  /** Throws FENCED when a newer attempt has taken over; call it right before committing. */
  assertCurrent(): Promise<void>;
}

export interface JobContext {
  jobId: string;
  /** 0 on the first run, then the number of earlier failures. */
  attempt: number;
  logger: Logger;
  fence: JobFence;
  /** Aborted when the attempt is fenced off or the worker stops without time to finish. */
  signal: AbortSignal;
}

export interface JobDefinition<Schema extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  schema: Schema;
  handler(payload: z.infer<Schema>, context: JobContext): Promise<void>;
  /** Jobs of this name one worker runs at once. */
  concurrency?: number;
  lockLifetimeMs?: number;
  /** Retries after a retryable failure (errors with `retryable: false` never retry). */
  maxRetries?: number;
  /**
   * Who fences an attempt. `lease` (default): the runner takes a job lease before the handler, and
   * `fence.assertCurrent()` checks it. `handler`: the handler fences its own work (a task claim with a
   * fencing token, checked by the commit itself), so no job lease is taken and `assertCurrent()` passes.
   */
  fencing?: 'lease' | 'handler';
  /** Recurring schedule (e.g. "1 hour"); the job is kept scheduled once per deployment. */
  every?: string;
}

export function defineJob<Schema extends z.ZodType>(
  definition: JobDefinition<Schema>,
): JobDefinition<Schema> {
  return definition;
}
