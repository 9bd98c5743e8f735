/**
 * Per-client inbound rate limit of the intake: at most `perMinute` messages of one client (one identity
 * handle) per fixed one-minute window reach the language model. Over the limit a message is still
 * recorded, but not answered by the brain; the first one over the limit in a window gets one notice, the
 * rest of that window get none. The count lives in the store, so every bot process counts against it.
 */
import type { IdentityHandle, RateCounterRepository } from '../../ports/store.js';

/** What to do with one more message of a client. */
export type RateDecision = 'allowed' | 'notice' | 'silent';

export interface ClientRateLimitOptions {
  /** Messages per client per window; 0 turns the limit off. */
  perMinute: number;
  /** The shared counters (`store.rateCounters`). */
  counters: RateCounterRepository;
  windowMs?: number;
  now?: () => number;
}

export class ClientRateLimiter {
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ClientRateLimitOptions) {
    if (!Number.isInteger(options.perMinute) || options.perMinute < 0) {
      throw new RangeError(`perMinute must be a whole number ≥ 0, got ${options.perMinute}`);
    }
    this.windowMs = options.windowMs ?? 60_000;
    this.now = options.now ?? Date.now;
  }

  get perMinute(): number {
    return this.options.perMinute;
  }

  /** Counts one message of this client and says whether it may reach the brain. */
  async take(handle: IdentityHandle): Promise<RateDecision> {
    if (this.options.perMinute === 0) return 'allowed';
    const key = `intake:${handle.surface}:${handle.externalId}`;
    const count = await this.options.counters.hit(key, this.windowMs, new Date(this.now()));
    if (count <= this.options.perMinute) return 'allowed';
    return count === this.options.perMinute + 1 ? 'notice' : 'silent';
  }
}

/** The one notice a client gets per window once over the limit. */
export function rateLimitNotice(perMinute: number): string {
  return (
    `You're sending messages faster than I can answer (more than ${perMinute} a minute). ` +
    "I've kept everything you sent; I'll answer new messages again in a minute."
  );
}
