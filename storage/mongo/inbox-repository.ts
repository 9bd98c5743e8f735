/**
 * The inbox: inbound events under their natural key as `_id`. A repeat delivery's insert fails on the
 * primary key (E11000), which is how it is recognised, in one statement.
 */
import type { InboxEntry, Surface } from '../../ports/domain.js';
import type { InboxArrival, InboxRepository } from '../../ports/store.js';
import type { Filter } from 'mongodb';
import type { Collections, InboxDoc } from './documents.js';
import { asStored, nextOrder } from './documents.js';
import { toInboxEntry } from './mapping.js';
import { isDuplicateKey } from './mongo-errors.js';

const DEFAULT_LIST_LIMIT = 100;
const RECORD_ATTEMPTS = 3;

export class MongoInboxRepository implements InboxRepository {
  constructor(private readonly c: Collections) {}

  async record(
    key: string,
    surface: Surface,
    payload: unknown,
    options: { begin?: boolean } = {},
  ): Promise<{ inserted: boolean; entry: InboxEntry }> {
    const begin = options.begin === true;
    const now = new Date();
    const doc: InboxDoc = {
      _id: key,
      order: nextOrder(),
      surface,
      payload,
      attached: null,
      status: begin ? 'processing' : 'received',
      attempts: begin ? 1 : 0,
      error: null,
      receivedAt: now,
      startedAt: begin ? now : null,
      processedAt: null,
    };
    let lastError: unknown;
    for (let attempt = 0; attempt < RECORD_ATTEMPTS; attempt += 1) {
      try {
        await this.c.inbox.insertOne(doc);
        return { inserted: true, entry: toInboxEntry(asStored(doc)) };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        lastError = error;
      }
      const existing = await this.get(key);
      if (existing) return { inserted: false, entry: existing };
    }
    throw lastError;
  }

  /** One insert per event, in order (a duplicate key fails alone, which is how a repeat is recognised). */
  async recordMany(events: readonly InboxArrival[]): Promise<{ inserted: boolean; entry: InboxEntry }[]> {
    const results: { inserted: boolean; entry: InboxEntry }[] = [];
    for (const event of events) {
      results.push(await this.record(event.key, event.surface, event.payload, { begin: true }));
    }
    return results;
  }

  async get(key: string): Promise<InboxEntry | null> {
    const doc = await this.c.inbox.findOne({ _id: key });
    return doc ? toInboxEntry(doc) : null;
  }

  async attach(key: string, attached: unknown): Promise<InboxEntry | null> {
    const doc = await this.c.inbox.findOneAndUpdate(
      { _id: key },
      { $set: { attached } },
      { returnDocument: 'after' },
    );
    return doc ? toInboxEntry(doc) : null;
  }

  async begin(key: string, options: { reclaimAfterMs?: number } = {}): Promise<InboxEntry | null> {
    const now = new Date();
    const claimable: Filter<InboxDoc>[] = [{ status: { $in: ['received', 'failed'] } }];
    if (options.reclaimAfterMs !== undefined) {
      claimable.push({
        status: 'processing',
        startedAt: { $lt: new Date(now.getTime() - options.reclaimAfterMs) },
      });
    }
    const doc = await this.c.inbox.findOneAndUpdate(
      { _id: key, $or: claimable },
      { $set: { status: 'processing', startedAt: now }, $inc: { attempts: 1 } },
      { returnDocument: 'after' },
    );
    return doc ? toInboxEntry(doc) : null;
  }

  /** Idempotent: a done entry is returned unchanged; null when the key is unknown. */
  async complete(key: string): Promise<InboxEntry | null> {
    const doc = await this.c.inbox.findOneAndUpdate(
      { _id: key, status: { $ne: 'done' } },
      { $set: { status: 'done', error: null, processedAt: new Date() } },
      { returnDocument: 'after' },
    );
    if (doc) return toInboxEntry(doc);
    return this.get(key);
  }

  async completeMany(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const result = await this.c.inbox.updateMany(
      { _id: { $in: keys }, status: { $ne: 'done' } },
      { $set: { status: 'done', error: null, processedAt: new Date() } },
    );
    return result.modifiedCount;
  }

  /** Null when the key is unknown or already done. */
  async fail(key: string, error: string): Promise<InboxEntry | null> {
    const doc = await this.c.inbox.findOneAndUpdate(
      { _id: key, status: { $ne: 'done' } },
      { $set: { status: 'failed', error } },
      { returnDocument: 'after' },
    );
    return doc ? toInboxEntry(doc) : null;
  }

  async listUnfinished(limit = DEFAULT_LIST_LIMIT): Promise<InboxEntry[]> {
    if (limit <= 0) return [];
    const docs = await this.c.inbox
      .find({ status: { $ne: 'done' } })
      .sort({ order: 1, _id: 1 })
      .limit(limit)
      .toArray();
    return docs.map(toInboxEntry);
  }
}
