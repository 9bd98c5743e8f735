/**
 * The inbox of a surface that stores every request before its ack (Slack): a request is recorded under its
 * natural key and claimed in the same statement; a repeat delivery is dropped unless its earlier attempt
 * failed or died; processed entries are marked done in groups; and what an earlier run left unfinished is
 * claimed again and replayed. A client message whose turn was deferred belongs to the intake's redrive
 * (handlers/intake/intake-inbox.ts), so neither a redelivery nor a replay takes it up.
 */
import type { InboxEntry, InboxRepository, Surface } from '../../ports/store.js';
import { awaitsRedrive } from '../intake/intake-inbox.js';
import { InboxArrivals, type InboxArrivalsOptions } from './inbox-arrivals.js';
import { InboxCompletions } from './inbox-completions.js';

export interface ReplayOptions {
  surface: Surface;
  /** When this process began taking requests: a `processing` entry begun before it was left by a crash. */
  since: number;
  /** An entry that failed this often is left for an operator. */
  maxAttempts: number;
  limit?: number;
}

export class InboundRecorder {
  private readonly arrivals: InboxArrivals;
  private readonly completions: InboxCompletions;

  /** `arrivals` is passed to the arrivals' group writer (its `observe` callback: the ack bench's timings). */
  constructor(
    private readonly inbox: InboxRepository,
    options: { arrivals?: InboxArrivalsOptions } = {},
  ) {
    this.arrivals = new InboxArrivals(inbox, options.arrivals);
    this.completions = new InboxCompletions(inbox);
  }

  /**
   * Stores the request, claimed, before it is acked. True when this delivery is to be processed (new, or a
   * repeat whose earlier attempt failed, or began longer than `reclaimAfterMs` ago); false for a repeat to
   * ack and drop. Requests arriving together are stored in one statement (inbox-arrivals.ts).
   */
  async receive(
    key: string,
    surface: Surface,
    payload: unknown,
    options: { reclaimAfterMs?: number } = {},
  ): Promise<boolean> {
    const { inserted, entry } = await this.arrivals.record({ key, surface, payload });
    if (inserted) return true;
    if (awaitsRedrive(entry)) return false;
    return (await this.inbox.begin(key, options)) !== null;
  }

  /** Resolves once the entry is stored as done (written together with others finished meanwhile). */
  done(key: string): Promise<void> {
    return this.completions.complete(key);
  }

  async failed(key: string, error: string): Promise<void> {
    await this.inbox.fail(key, error);
  }

  /**
   * Claims the surface's unfinished entries one at a time (failed ones, and those a crashed process left
   * `processing`) and processes each; an entry whose payload no longer parses is marked failed. Returns
   * how many were processed.
   */
  async replayUnfinished<T>(
    options: ReplayOptions,
    parse: (entry: InboxEntry) => T | null,
    process: (request: T, entry: InboxEntry) => Promise<void>,
  ): Promise<number> {
    let replayed = 0;
    for (const entry of await this.inbox.listUnfinished(options.limit ?? 100)) {
      if (entry.surface !== options.surface || awaitsRedrive(entry)) continue;
      const orphaned = (entry.startedAt?.getTime() ?? Infinity) < options.since;
      if (entry.status === 'processing' && !orphaned) continue;
      if (entry.attempts >= options.maxAttempts) continue;
      const request = parse(entry);
      if (request === null) {
        await this.inbox.fail(entry.key, 'stored payload no longer parses');
        continue;
      }
      const reclaim = entry.status === 'processing' ? { reclaimAfterMs: Date.now() - options.since } : {};
      const claimed = await this.inbox.begin(entry.key, reclaim);
      if (claimed === null) continue;
      await process(request, claimed);
      replayed += 1;
    }
    return replayed;
  }
}
