/**
 * Outbound pacing for Slack: one queue per channel. Work for a channel runs one item at a time, in the
 * order it was queued; every Web API call inside it is paced to Slack's per-channel posting rate (about
 * one message a second) and, when Slack answers 429, waits the `Retry-After` it gave and sends the same
 * call again. Nothing is dropped: a call that is still rate limited after many waits fails to its caller,
 * whose outbox entry is retried later.
 */
import { OlympusError } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';

/** Runs one Web API call for the channel, paced and retried on 429. */
export type Paced = <T>(call: () => Promise<T>) => Promise<T>;

export interface ChannelQueueOptions {
  /** Least time between two calls to one channel. Default 1000 ms. */
  intervalMs?: number;
  /** 429 answers one call may get before it fails. Default 20. */
  maxRateLimitWaits?: number;
  logger: Logger;
  /** Told of every 429 (seconds to wait). */
  onRateLimited?: (channel: string, retryAfterSeconds: number) => void;
}

interface Lane {
  tail: Promise<unknown>;
  /** Earliest time (ms since epoch) the next call may go out. */
  nextAt: number;
  pending: number;
}

const RATE_LIMITED_CODE = 'slack_webapi_rate_limited_error';

/** Seconds to wait when the error is Slack's 429 (the Web API client's rate-limited error), else null. */
export function retryAfterSeconds(error: unknown): number | null {
  const candidate = error as { code?: unknown; retryAfter?: unknown } | null;
  if (candidate?.code !== RATE_LIMITED_CODE) return null;
  const seconds = Number(candidate.retryAfter);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : 1;
}

export class ChannelQueue {
  private readonly lanes = new Map<string, Lane>();
  private readonly intervalMs: number;
  private readonly maxWaits: number;

  constructor(private readonly options: ChannelQueueOptions) {
    this.intervalMs = options.intervalMs ?? 1000;
    this.maxWaits = options.maxRateLimitWaits ?? 20;
  }

  /** Items waiting or running for the channel (for tests and logs). */
  depth(channel: string): number {
    return this.lanes.get(channel)?.pending ?? 0;
  }

  /**
   * Queues `work` behind everything queued for `channel` before it; its calls go through `paced`.
   * Resolves or rejects with what `work` does; a failure does not stop the items behind it.
   */
  run<T>(channel: string, work: (paced: Paced) => Promise<T>): Promise<T> {
    const lane = this.lanes.get(channel) ?? { tail: Promise.resolve(), nextAt: 0, pending: 0 };
    this.lanes.set(channel, lane);
    lane.pending += 1;
    const paced: Paced = (call) => this.paced(channel, lane, call);
    const result = lane.tail.then(() => work(paced));
    lane.tail = result.then(
      () => this.settle(channel, lane),
      () => this.settle(channel, lane),
    );
    return result;
  }

  private settle(channel: string, lane: Lane): void {
    lane.pending -= 1;
    if (lane.pending === 0 && lane.nextAt <= Date.now()) this.lanes.delete(channel);
  }

  private async paced<T>(channel: string, lane: Lane, call: () => Promise<T>): Promise<T> {
    for (let waits = 0; ; waits += 1) {
      const delay = lane.nextAt - Date.now();
      if (delay > 0) await sleep(delay);
      lane.nextAt = Date.now() + this.intervalMs;
      try {
        return await call();
      } catch (error) {
        const seconds = retryAfterSeconds(error);
        if (seconds === null) throw error;
        this.options.onRateLimited?.(channel, seconds);
        if (waits + 1 >= this.maxWaits) {
          throw new OlympusError(
            'SURFACE_UNAVAILABLE',
            `slack kept rate limiting channel ${channel} (${waits + 1} times); the outbox retries later`,
            { retryable: true, cause: error },
          );
        }
        this.options.logger.info('slack rate limited a call: waiting as told', {
          channel,
          retryAfterSeconds: seconds,
        });
        lane.nextAt = Date.now() + Math.max(seconds * 1000, this.intervalMs);
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
