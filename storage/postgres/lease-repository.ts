import type { Lease, LeaseRepository } from '../../ports/store.js';
import type { Database } from './database.js';
import { toLease, type LeaseRow } from './record-row-mappers.js';

/** Leases live on the database clock (`now()`), so holders on machines with skewed clocks still agree. */
export class PostgresLeaseRepository implements LeaseRepository {
  constructor(private readonly db: Database) {}

  async acquire(key: string, holder: string, ttlMs: number): Promise<Lease | null> {
    // One statement: insert a new lease, or take over an expired one; the token only ever grows.
    const row = await this.db.one<LeaseRow>(
      `INSERT INTO leases (key, holder, token, expires_at)
       VALUES ($1, $2, 1, now() + $3 * interval '1 millisecond')
       ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, token = leases.token + 1,
         expires_at = EXCLUDED.expires_at
       WHERE leases.expires_at < now()
       RETURNING *`,
      [key, holder, ttlMs],
    );
    return row ? toLease(row) : null;
  }

  async renew(key: string, token: number, ttlMs: number): Promise<boolean> {
    const row = await this.db.one<{ key: string }>(
      `UPDATE leases SET expires_at = now() + $3 * interval '1 millisecond'
       WHERE key = $1 AND token = $2 AND expires_at > now() RETURNING key`,
      [key, token, ttlMs],
    );
    return row !== null;
  }

  async isCurrent(key: string, token: number): Promise<boolean> {
    const row = await this.db.one<{ key: string }>(
      'SELECT key FROM leases WHERE key = $1 AND token = $2 AND expires_at > now()',
      [key, token],
    );
    return row !== null;
  }

  async release(key: string, token: number): Promise<boolean> {
    // The row stays (expired) so the next holder's token continues from this one.
    const row = await this.db.one<{ key: string }>(
      `UPDATE leases SET expires_at = '-infinity' WHERE key = $1 AND token = $2 AND expires_at > now() RETURNING key`,
      [key, token],
    );
    return row !== null;
  }
}
