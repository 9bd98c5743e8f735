/**
 * Stores arriving inbox entries in groups: an event that arrives while an earlier group is being written
 * waits for it and goes out with the next group, in one statement and one commit (group commit). When
 * idle, an event is written at once, alone, so nothing waits on a timer. A group that fails is written
 * again one event at a time, so one bad event fails alone and the others are stored.
 *
 * An optional `observe` callback hears of every statement once it settles (its size, time and outcome):
 * the ack bench (bench/slack-receivers.ts) reads its inbox breakdown from it, and /metrics could observe
 * the same figures; nothing else is wired to it.
 */
import type { InboxArrival, InboxEntry, InboxRepository } from '../../ports/store.js';

type Recorded = { inserted: boolean; entry: InboxEntry };

interface Waiting {
  arrival: InboxArrival;
  resolve(result: Recorded): void;
  reject(error: unknown): void;
}

/** One group write (one `recordMany` statement), as `observe` hears of it. */
export interface InboxGroupWrite {
  /** Events in the statement. */
  size: number;
  /** From the call to its result, any wait for a pool connection included. */
  ms: number;
  /** Of `ms`, the wait for a pool connection, when known (the inbox port does not report it yet). */
  poolWaitMs?: number;
  /** False when the statement failed: a group's events are then written again one at a time, each observed. */
  ok: boolean;
}

export interface InboxArrivalsOptions {
  /** Called after each group write; what it throws is ignored, so observing never fails a write. */
  observe?: (write: InboxGroupWrite) => void;
}

/** Most events in one statement; more wait for the next group. */
const MAX_GROUP = 200;

export class InboxArrivals {
  private queued: Waiting[] = [];
  private writing = false;
  private readonly observe: ((write: InboxGroupWrite) => void) | undefined;

  constructor(
    private readonly inbox: Pick<InboxRepository, 'recordMany'>,
    options: InboxArrivalsOptions = {},
  ) {
    this.observe = options.observe;
  }

  /** Resolves once the event is stored (claimed), or found stored under its key before. */
  record(arrival: InboxArrival): Promise<Recorded> {
    return new Promise<Recorded>((resolve, reject) => {
      this.queued.push({ arrival, resolve, reject });
      if (!this.writing) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.writing = true;
    try {
      while (this.queued.length > 0) {
        const group = this.queued.splice(0, MAX_GROUP);
        await this.write(group);
      }
    } finally {
      this.writing = false;
    }
  }

  private async write(group: Waiting[]): Promise<void> {
    const begun = performance.now();
    let results: Recorded[];
    try {
      results = await this.inbox.recordMany(group.map((waiting) => waiting.arrival));
    } catch (error) {
      this.observed(group.length, begun, false);
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      for (const waiting of group) await this.write([waiting]);
      return;
    }
    this.observed(group.length, begun, true);
    group.forEach((waiting, i) => waiting.resolve(results[i]!));
  }

  private observed(size: number, begun: number, ok: boolean): void {
    if (!this.observe) return;
    try {
      this.observe({ size, ms: performance.now() - begun, ok });
    } catch {
      // An observer's failure is its own: the events are stored (or failed) all the same.
    }
  }
}
