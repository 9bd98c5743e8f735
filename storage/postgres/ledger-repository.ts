import { OlympusError } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { LedgerEntry, LedgerRepository, NewLedgerEntry } from '../../ports/store.js';
import { jsonParam, type Database } from './database.js';
import { toLedgerEntry, type LedgerRow } from './record-row-mappers.js';

export class PostgresLedgerRepository implements LedgerRepository {
  constructor(private readonly db: Database) {}

  async append(entry: NewLedgerEntry): Promise<LedgerEntry> {
    const effectKey = entry.effectKey ?? null;
    const row = await this.db.one<LedgerRow>(
      `INSERT INTO ledger_entries (id, kind, project_id, task_id, provider, model, input_tokens, output_tokens,
         cost, currency, latency_ms, at, meta, effect_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13::jsonb, $14)
       ON CONFLICT (effect_key) WHERE effect_key IS NOT NULL DO NOTHING RETURNING *`,
      [
        newId(),
        entry.kind,
        entry.projectId ?? null,
        entry.taskId ?? null,
        entry.provider,
        entry.model,
        entry.inputTokens,
        entry.outputTokens,
        entry.cost,
        entry.currency,
        entry.latencyMs,
        entry.at ?? new Date(),
        jsonParam(entry.meta ?? {}),
        effectKey,
      ],
    );
    if (row) return toLedgerEntry(row);
    // The effect was recorded before (a replay): the first entry stands.
    const existing =
      effectKey === null
        ? null
        : await this.db.one<LedgerRow>('SELECT * FROM ledger_entries WHERE effect_key = $1', [effectKey]);
    if (!existing) throw new OlympusError('INTERNAL', 'ledger entry was not stored');
    return toLedgerEntry(existing);
  }

  async list(filter: { projectId?: string; taskId?: string } = {}): Promise<LedgerEntry[]> {
    const rows = await this.db.rows<LedgerRow>(
      `SELECT * FROM ledger_entries
       WHERE ($1::text IS NULL OR project_id = $1) AND ($2::text IS NULL OR task_id = $2)
       ORDER BY ord`,
      [filter.projectId ?? null, filter.taskId ?? null],
    );
    return rows.map(toLedgerEntry);
  }

  async totalCost(projectId: string): Promise<number> {
    const row = await this.db.one<{ total: number }>(
      'SELECT coalesce(sum(cost), 0)::double precision AS total FROM ledger_entries WHERE project_id = $1',
      [projectId],
    );
    return row?.total ?? 0;
  }
}
