import { OlympusError } from '../../common/errors.js';
import type { InboxArrival, InboxEntry, InboxRepository, Surface } from '../../ports/store.js';
import { jsonParam, prepared, type Database } from './database.js';
import { toInboxEntry, type InboxRow } from './record-row-mappers.js';
import { toDate } from './row-mappers.js';

// Run once per event each (before its ack, and once it is processed): prepared, so PostgreSQL does not
// parse and plan them again every time.
const RECORD_MANY = prepared(
  'inbox_record_many',
  `INSERT INTO inbox (key, surface, payload, status, attempts, started_at)
   SELECT e.key, e.surface, e.payload::jsonb, 'processing', 1, now()
   FROM unnest($1::text[], $2::text[], $3::text[]) WITH ORDINALITY AS e(key, surface, payload, n)
   ORDER BY e.n
   ON CONFLICT (key) DO NOTHING RETURNING key, received_at, started_at`,
);
// The done marks commit without waiting for their WAL flush (synchronous_commit off for this one
// statement's transaction): the event itself was stored durably before its ack, and a mark lost to a
// database crash only has the entry replayed, whose effects the outbox keeps from being redone. Half the
// flushes on the receiver's path go.
const COMPLETE_MANY = prepared(
  'inbox_complete_many',
  `UPDATE inbox SET status = 'done', error = NULL, processed_at = now()
   WHERE key = ANY($1::text[]) AND status <> 'done'
     AND (SELECT set_config('synchronous_commit', 'off', true)) IS NOT NULL
   RETURNING key`,
);

export class PostgresInboxRepository implements InboxRepository {
  constructor(private readonly db: Database) {}

  async record(
    key: string,
    surface: Surface,
    payload: unknown,
    options: { begin?: boolean } = {},
  ): Promise<{ inserted: boolean; entry: InboxEntry }> {
    const begin = options.begin === true;
    const row = await this.db.one<InboxRow>(
      `INSERT INTO inbox (key, surface, payload, status, attempts, started_at)
       VALUES ($1, $2, $3::jsonb, $4, $5, CASE WHEN $6::boolean THEN now() END)
       ON CONFLICT (key) DO NOTHING RETURNING *`,
      [key, surface, jsonParam(payload), begin ? 'processing' : 'received', begin ? 1 : 0, begin],
    );
    if (row) return { inserted: true, entry: toInboxEntry(row) };
    const existing = await this.get(key);
    if (!existing)
      throw new OlympusError('INTERNAL', `inbox entry ${key} neither inserted nor found`, {
        retryable: true,
      });
    return { inserted: false, entry: existing };
  }

  async recordMany(events: readonly InboxArrival[]): Promise<{ inserted: boolean; entry: InboxEntry }[]> {
    if (events.length === 0) return [];
    // Only the columns the caller lacks come back: the payload is not sent back and parsed again.
    const inserted = await this.db.rows<{ key: string; received_at: Date; started_at: Date }>(RECORD_MANY, [
      events.map((e) => e.key),
      events.map((e) => e.surface),
      events.map((e) => jsonParam(e.payload)),
    ]);
    const stored = new Map(inserted.map((row) => [row.key, row]));
    const repeats = events.filter((e) => !stored.has(e.key)).map((e) => e.key);
    const existing = new Map<string, InboxEntry>();
    if (repeats.length > 0) {
      const rows = await this.db.rows<InboxRow>('SELECT * FROM inbox WHERE key = ANY($1::text[])', [repeats]);
      for (const row of rows) existing.set(row.key, toInboxEntry(row));
    }
    return events.map((event) => {
      const row = stored.get(event.key);
      if (row) {
        // The first of a key given twice is the one inserted; the later one is a repeat of it.
        stored.delete(event.key);
        const entry: InboxEntry = {
          key: event.key,
          surface: event.surface,
          payload: event.payload,
          attached: null,
          status: 'processing',
          attempts: 1,
          error: null,
          receivedAt: toDate(row.received_at),
          startedAt: toDate(row.started_at),
          processedAt: null,
        };
        existing.set(event.key, entry);
        return { inserted: true, entry };
      }
      const entry = existing.get(event.key);
      if (!entry)
        throw new OlympusError('INTERNAL', `inbox entry ${event.key} neither inserted nor found`, {
          retryable: true,
        });
      return { inserted: false, entry };
    });
  }

  async get(key: string): Promise<InboxEntry | null> {
    const row = await this.db.one<InboxRow>('SELECT * FROM inbox WHERE key = $1', [key]);
    return row ? toInboxEntry(row) : null;
  }

  async attach(key: string, attached: unknown): Promise<InboxEntry | null> {
    return this.updateOne('UPDATE inbox SET attached = $2::jsonb WHERE key = $1 RETURNING *', [
      key,
      jsonParam(attached),
    ]);
  }

  private async updateOne(sql: string, params: unknown[]): Promise<InboxEntry | null> {
    const row = await this.db.one<InboxRow>(sql, params);
    return row ? toInboxEntry(row) : null;
  }

  async begin(key: string, options: { reclaimAfterMs?: number } = {}): Promise<InboxEntry | null> {
    return this.updateOne(
      `UPDATE inbox SET status = 'processing', attempts = attempts + 1, started_at = now()
       WHERE key = $1 AND (status IN ('received', 'failed')
         OR (status = 'processing' AND $2::double precision IS NOT NULL
             AND started_at < now() - make_interval(secs => $2::double precision / 1000)))
       RETURNING *`,
      [key, options.reclaimAfterMs ?? null],
    );
  }

  async complete(key: string): Promise<InboxEntry | null> {
    // Idempotent: completing a done entry returns it unchanged.
    return this.updateOne(
      `UPDATE inbox SET status = 'done', error = NULL,
         processed_at = CASE WHEN status = 'done' THEN processed_at ELSE now() END
       WHERE key = $1 RETURNING *`,
      [key],
    );
  }

  async completeMany(keys: string[]): Promise<number> {
    if (keys.length === 0) return 0;
    const rows = await this.db.rows<{ key: string }>(COMPLETE_MANY, [keys]);
    return rows.length;
  }

  async fail(key: string, error: string): Promise<InboxEntry | null> {
    return this.updateOne(
      `UPDATE inbox SET status = 'failed', error = $2 WHERE key = $1 AND status <> 'done' RETURNING *`,
      [key, error],
    );
  }

  async listUnfinished(limit = 100): Promise<InboxEntry[]> {
    const rows = await this.db.rows<InboxRow>(
      `SELECT * FROM inbox WHERE status <> 'done' ORDER BY ord LIMIT $1`,
      [limit],
    );
    return rows.map(toInboxEntry);
  }
}
