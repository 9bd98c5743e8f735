/**
 * Fixed-window counters in one upsert per hit, so every process counts against the same number. Windows
 * that ended are deleted now and then by the hits themselves (about one hit in a hundred).
 */
import type { RateCounterRepository } from '../../ports/store.js';
import type { Database } from './database.js';
import { windowStart } from '../rate-window.js';

const PURGE_ONE_IN = 100;

export class PostgresRateCounterRepository implements RateCounterRepository {
  constructor(private readonly db: Database) {}

  async hit(key: string, windowMs: number, now: Date = new Date()): Promise<number> {
    const start = windowStart(now, windowMs);
    const row = await this.db.one<{ count: number }>(
      `INSERT INTO rate_counters (key, window_start, count, expires_at) VALUES ($1, $2, 1, $3)
       ON CONFLICT (key, window_start) DO UPDATE SET count = rate_counters.count + 1
       RETURNING count`,
      [key, start, new Date(start.getTime() + windowMs)],
    );
    if (Math.random() * PURGE_ONE_IN < 1) {
      await this.db.pool.query('DELETE FROM rate_counters WHERE expires_at < $1', [now]);
    }
    return row?.count ?? 1;
  }
}
