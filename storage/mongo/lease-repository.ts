/**
 * Named leases with fencing tokens, one document per key (`_id`). The document is never deleted, so
 * the token only ever grows: releasing just expires the lease. Expiry is judged by this process's clock.
 */
import type { Lease } from '../../ports/domain.js';
import type { LeaseRepository } from '../../ports/store.js';
import type { Collections } from './documents.js';
import { toLease } from './mapping.js';
import { isDuplicateKey } from './mongo-errors.js';

export class MongoLeaseRepository implements LeaseRepository {
  constructor(private readonly c: Collections) {}

  /**
   * One upsert: takes an expired lease (token + 1), or creates a new one (token 1). When the lease is
   * held and unexpired the filter matches nothing, so the upsert tries to insert a second document with
   * the same `_id` and fails with E11000: that failure is the answer "held by someone else".
   */
  async acquire(key: string, holder: string, ttlMs: number): Promise<Lease | null> {
    const now = new Date();
    try {
      const doc = await this.c.leases.findOneAndUpdate(
        { _id: key, expiresAt: { $lt: now } },
        { $set: { holder, expiresAt: new Date(now.getTime() + ttlMs) }, $inc: { token: 1 } },
        { upsert: true, returnDocument: 'after' },
      );
      return doc ? toLease(doc) : null;
    } catch (error) {
      if (isDuplicateKey(error)) return null;
      throw error;
    }
  }

  /** Extends the lease while `token` is current and unexpired (as `isCurrent` defines "current"). */
  async renew(key: string, token: number, ttlMs: number): Promise<boolean> {
    const now = new Date();
    const result = await this.c.leases.updateOne(
      { _id: key, token, expiresAt: { $gt: now } },
      { $set: { expiresAt: new Date(now.getTime() + ttlMs) } },
    );
    return result.matchedCount === 1;
  }

  async isCurrent(key: string, token: number): Promise<boolean> {
    const doc = await this.c.leases.findOne(
      { _id: key, token, expiresAt: { $gt: new Date() } },
      { projection: { _id: 1 } },
    );
    return doc !== null;
  }

  /** Expires the lease at once if `token` is current; the document (and its token) stays. */
  async release(key: string, token: number): Promise<boolean> {
    const result = await this.c.leases.updateOne({ _id: key, token }, { $set: { expiresAt: new Date(0) } });
    return result.matchedCount === 1;
  }
}
