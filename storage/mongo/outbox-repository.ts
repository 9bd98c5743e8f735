/**
 * The outbox: outward effects under their effect id as `_id`. Enqueueing an existing effect fails on
 * the primary key (E11000) and returns the stored entry instead, so the effect is not redone.
 */
import type { OutboxEntry } from '../../ports/domain.js';
import type { OutboxRepository } from '../../ports/store.js';
import type { Collections, OutboxDoc } from './documents.js';
import { asStored, nextOrder } from './documents.js';
import { toOutboxEntry } from './mapping.js';
import { isDuplicateKey } from './mongo-errors.js';

const DEFAULT_LIST_LIMIT = 100;
const ENQUEUE_ATTEMPTS = 3;

export class MongoOutboxRepository implements OutboxRepository {
  constructor(private readonly c: Collections) {}

  async enqueue(
    effectId: string,
    kind: string,
    payload: unknown,
  ): Promise<{ inserted: boolean; entry: OutboxEntry }> {
    const now = new Date();
    const doc: OutboxDoc = {
      _id: effectId,
      order: nextOrder(),
      kind,
      payload,
      status: 'pending',
      attempts: 0,
      result: null,
      error: null,
      createdAt: now,
      updatedAt: now,
    };
    let lastError: unknown;
    for (let attempt = 0; attempt < ENQUEUE_ATTEMPTS; attempt += 1) {
      try {
        await this.c.outbox.insertOne(doc);
        return { inserted: true, entry: toOutboxEntry(asStored(doc)) };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        lastError = error;
      }
      const existing = await this.get(effectId);
      if (existing) return { inserted: false, entry: existing };
    }
    throw lastError;
  }

  async get(effectId: string): Promise<OutboxEntry | null> {
    const doc = await this.c.outbox.findOne({ _id: effectId });
    return doc ? toOutboxEntry(doc) : null;
  }

  /** Any state but `done` → `in_flight`, attempts + 1, in one update. */
  async begin(effectId: string): Promise<OutboxEntry | null> {
    const doc = await this.c.outbox.findOneAndUpdate(
      { _id: effectId, status: { $in: ['pending', 'failed', 'in_flight'] } },
      { $set: { status: 'in_flight', updatedAt: new Date() }, $inc: { attempts: 1 } },
      { returnDocument: 'after' },
    );
    return doc ? toOutboxEntry(doc) : null;
  }

  /** Null when unknown or already done: the first stored result stays. */
  async complete(effectId: string, result: unknown): Promise<OutboxEntry | null> {
    const doc = await this.c.outbox.findOneAndUpdate(
      { _id: effectId, status: { $ne: 'done' } },
      { $set: { status: 'done', result: result ?? null, error: null, updatedAt: new Date() } },
      { returnDocument: 'after' },
    );
    return doc ? toOutboxEntry(doc) : null;
  }

  /** Null when unknown or already done. */
  async fail(effectId: string, error: string): Promise<OutboxEntry | null> {
    const doc = await this.c.outbox.findOneAndUpdate(
      { _id: effectId, status: { $ne: 'done' } },
      { $set: { status: 'failed', error, updatedAt: new Date() } },
      { returnDocument: 'after' },
    );
    return doc ? toOutboxEntry(doc) : null;
  }

  /** Every effect not yet done (pending, failed, or in flight when its process died), oldest first. */
  async listPending(limit = DEFAULT_LIST_LIMIT): Promise<OutboxEntry[]> {
    if (limit <= 0) return [];
    const docs = await this.c.outbox
      .find({ status: { $ne: 'done' } })
      .sort({ order: 1, _id: 1 })
      .limit(limit)
      .toArray();
    return docs.map(toOutboxEntry);
  }
}
