/**
 * Stores arriving inbox entries in groups: an event that arrives while an earlier group is being written
 * waits for it and goes out with the next group, in one statement and one commit (group commit). When
 * idle, an event is written at once, alone, so nothing waits on a timer. A group that fails is written
 * again one event at a time, so one bad event fails alone and the others are stored.
 */
import type { InboxArrival, InboxEntry, InboxRepository } from '../../ports/store.js';

type Recorded = { inserted: boolean; entry: InboxEntry };

interface Waiting {
  arrival: InboxArrival;
  resolve(result: Recorded): void;
  reject(error: unknown): void;
}

/** Most events in one statement; more wait for the next group. */
const MAX_GROUP = 200;

export class InboxArrivals {
  private queued: Waiting[] = [];
  private writing = false;

  constructor(private readonly inbox: Pick<InboxRepository, 'recordMany'>) {}

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
    try {
      const results = await this.inbox.recordMany(group.map((waiting) => waiting.arrival));
      group.forEach((waiting, i) => waiting.resolve(results[i]!));
    } catch (error) {
      if (group.length === 1) {
        group[0]!.reject(error);
        return;
      }
      for (const waiting of group) await this.write([waiting]);
    }
  }
}
