import { OlympusError } from '../../common/errors.js';
import type { OutboxEntry, OutboxRepository } from '../../ports/store.js';
import { jsonParam, type Database } from './database.js';
import { toOutboxEntry, type OutboxRow } from './record-row-mappers.js';

export class PostgresOutboxRepository implements OutboxRepository {
  constructor(private readonly db: Database) {}

  async enqueue(
    effectId: string,
    kind: string,
    payload: unknown,
  ): Promise<{ inserted: boolean; entry: OutboxEntry }> {
    const row = await this.db.one<OutboxRow>(
      `INSERT INTO outbox (effect_id, kind, payload) VALUES ($1, $2, $3::jsonb)
       ON CONFLICT (effect_id) DO NOTHING RETURNING *`,
      [effectId, kind, jsonParam(payload)],
    );
    if (row) return { inserted: true, entry: toOutboxEntry(row) };
    const existing = await this.get(effectId);
    if (!existing) {
      throw new OlympusError('INTERNAL', `outbox entry ${effectId} neither inserted nor found`, {
        retryable: true,
      });
    }
    return { inserted: false, entry: existing };
  }

  async get(effectId: string): Promise<OutboxEntry | null> {
    const row = await this.db.one<OutboxRow>('SELECT * FROM outbox WHERE effect_id = $1', [effectId]);
    return row ? toOutboxEntry(row) : null;
  }

  private async updateOne(sql: string, params: unknown[]): Promise<OutboxEntry | null> {
    const row = await this.db.one<OutboxRow>(sql, params);
    return row ? toOutboxEntry(row) : null;
  }

  async begin(effectId: string): Promise<OutboxEntry | null> {
    return this.updateOne(
      `UPDATE outbox SET status = 'in_flight', attempts = attempts + 1, updated_at = now()
       WHERE effect_id = $1 AND status <> 'done' RETURNING *`,
      [effectId],
    );
  }

  async complete(effectId: string, result: unknown): Promise<OutboxEntry | null> {
    // Idempotent: completing a done effect keeps its first result.
    return this.updateOne(
      `UPDATE outbox SET
         result = CASE WHEN status = 'done' THEN result ELSE $2::jsonb END,
         updated_at = CASE WHEN status = 'done' THEN updated_at ELSE now() END,
         status = 'done', error = NULL
       WHERE effect_id = $1 RETURNING *`,
      [effectId, jsonParam(result)],
    );
  }

  async fail(effectId: string, error: string): Promise<OutboxEntry | null> {
    return this.updateOne(
      `UPDATE outbox SET status = 'failed', error = $2, updated_at = now()
       WHERE effect_id = $1 AND status <> 'done' RETURNING *`,
      [effectId, error],
    );
  }

  async listPending(limit = 100): Promise<OutboxEntry[]> {
    const rows = await this.db.rows<OutboxRow>(
      `SELECT * FROM outbox WHERE status <> 'done' ORDER BY ord LIMIT $1`,
      [limit],
    );
    return rows.map(toOutboxEntry);
  }
}
