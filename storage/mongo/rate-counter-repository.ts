/**
 * Fixed-window counters: one document per key and window, incremented by one upsert, so every process
 * counts against the same number. A TTL index on `expiresAt` removes ended windows.
 */
import type { RateCounterRepository } from '../../ports/store.js';
import { windowStart } from '../rate-window.js';
import type { Collections } from './documents.js';
import { isDuplicateKey } from './mongo-errors.js';

export class MongoRateCounterRepository implements RateCounterRepository {
  constructor(private readonly c: Collections) {}

  async hit(key: string, windowMs: number, now: Date = new Date()): Promise<number> {
    const start = windowStart(now, windowMs);
    const id = `${key}@${start.getTime()}`;
    const update = {
      $inc: { count: 1 },
      $setOnInsert: { expiresAt: new Date(start.getTime() + windowMs) },
    };
    try {
      const doc = await this.c.rateCounters.findOneAndUpdate({ _id: id }, update, {
        upsert: true,
        returnDocument: 'after',
      });
      return doc?.count ?? 1;
    } catch (error) {
      // Two first hits raced to insert the window: the loser increments the winner's document.
      if (!isDuplicateKey(error)) throw error;
      const doc = await this.c.rateCounters.findOneAndUpdate({ _id: id }, update, {
        returnDocument: 'after',
      });
      return doc?.count ?? 1;
    }
  }
}
