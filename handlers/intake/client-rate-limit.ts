/**
 * Per-client inbound rate limit of the intake: at most `perMinute` messages of one client (one identity
 * handle) per fixed one-minute window reach the language model. Over the limit a message is still
 * recorded, but not answered by the brain; the first one over the limit in a window gets one notice, the
 * rest of that window get none. Counts live in this process (one limiter per `olympus start`/`bot`).
 */
import type { IdentityHandle } from '../../storage/ports.js';

/** What to do with one more message of a client. */
export type RateDecision = 'allowed' | 'notice' | 'silent';

export interface ClientRateLimitOptions {
  /** Messages per client per window; 0 turns the limit off. */
  perMinute: number;
  windowMs?: number;
  now?: () => number;
}

interface Window {
  startedAt: number;
  count: number;
}

/** Windows kept at most; the oldest are dropped first (a client that writes again starts a fresh one). */
const MAX_TRACKED_CLIENTS = 10_000;

export class ClientRateLimiter {
  private readonly windows = new Map<string, Window>();
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
  take(handle: IdentityHandle): RateDecision {
    if (this.options.perMinute === 0) return 'allowed';
    const key = `${handle.surface}:${handle.externalId}`;
    const now = this.now();
    let window = this.windows.get(key);
    if (window === undefined || now - window.startedAt >= this.windowMs) {
      window = { startedAt: now, count: 0 };
      this.windows.delete(key);
      this.windows.set(key, window);
      this.evict();
    }
    window.count += 1;
    if (window.count <= this.options.perMinute) return 'allowed';
    return window.count === this.options.perMinute + 1 ? 'notice' : 'silent';
  }

  private evict(): void {
    while (this.windows.size > MAX_TRACKED_CLIENTS) {
      const oldest = this.windows.keys().next().value;
      if (oldest === undefined) return;
      this.windows.delete(oldest);
    }
  }
}

/** The one notice a client gets per window once over the limit. */
export function rateLimitNotice(perMinute: number): string {
  return (
    `You're sending messages faster than I can answer (more than ${perMinute} a minute). ` +
    "I've kept everything you sent; I'll answer new messages again in a minute."
  );
}
