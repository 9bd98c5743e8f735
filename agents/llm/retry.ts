/**
 * Bounded retry with exponential backoff and full jitter for retryable errors, honouring the server's
 * Retry-After (`details.retryAfterMs` of an OlympusError). A Retry-After longer than `maxRetryAfterMs` ends
 * the retries at once, so the router can fall back instead of waiting.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface RetryPolicy {
  /** Attempts in all, first included (>= 1). */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** The longest server-requested wait we accept before giving up on this provider. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 8000,
  maxRetryAfterMs: 60_000,
};

const RETRY_AFTER_MARGIN_MS = 25;

export interface RetryHooks {
  signal?: AbortSignal;
  /** Called before each wait, for logging. */
  onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  /** Defaults to a real timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

function detailsOf(error: unknown): { retryable: boolean; retryAfterMs: number | null } {
  const candidate = error as { retryable?: unknown; details?: { retryAfterMs?: unknown } } | null;
  const retryAfter = candidate?.details?.retryAfterMs;
  return {
    retryable: candidate?.retryable === true,
    retryAfterMs: typeof retryAfter === 'number' ? retryAfter : null,
  };
}

/** The wait before attempt `attempt + 1`, or null when the error should not be retried. */
export function retryDelay(
  error: unknown,
  attempt: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number | null {
  const { retryable, retryAfterMs } = detailsOf(error);
  if (!retryable || attempt >= policy.maxAttempts) return null;
  if (retryAfterMs !== null) {
    // A little past the requested time: timers may fire a millisecond early, clocks differ.
    return retryAfterMs > policy.maxRetryAfterMs ? null : retryAfterMs + RETRY_AFTER_MARGIN_MS;
  }
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export async function withRetry<T>(
  run: (attempt: number) => Promise<T>,
  policy: RetryPolicy,
  hooks: RetryHooks = {},
): Promise<T> {
  const sleep = hooks.sleep ?? ((ms: number, signal?: AbortSignal) => delay(ms, undefined, { signal }));
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run(attempt);
    } catch (error) {
      const wait = hooks.signal?.aborted ? null : retryDelay(error, attempt, policy, hooks.random);
      if (wait === null) throw error;
      hooks.onRetry?.({ attempt, delayMs: wait, error });
      try {
        await sleep(wait, hooks.signal);
      } catch {
        throw error;
      }
    }
  }
}
