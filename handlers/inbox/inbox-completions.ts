/**
 * Marks processed inbox entries done in groups: an entry finished while an earlier group is being written
 * waits for it and goes out with the next group, in one statement (group commit). When idle, an entry is
 * written at once, alone. Under load this takes one database round trip per event off the receiver.
 * A group that fails rejects every caller in it, which records the failure per entry as before.
 */
import type { InboxRepository } from '../../ports/store.js';

export class InboxCompletions {
  private queued: string[] = [];
  private next: Promise<void> | null = null;
  private writing: Promise<unknown> = Promise.resolve();

  constructor(private readonly inbox: Pick<InboxRepository, 'completeMany'>) {}

  /** Resolves once the entry is stored as done. */
  complete(key: string): Promise<void> {
    this.queued.push(key);
    this.next ??= this.writing.then(() => {
      const keys = this.queued;
      this.queued = [];
      this.next = null;
      const write = this.inbox.completeMany(keys).then(() => undefined);
      this.writing = write.catch(() => undefined);
      return write;
    });
    return this.next;
  }
}
