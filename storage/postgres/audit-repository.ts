import { GENESIS_HASH, hashAuditEvent, verifyChainAsync, type UnhashedAuditEvent } from '../audit-chain.js';
import type { AuditEvent, AuditRepository, AuditVerification, NewAuditEvent } from '../../ports/store.js';
import { jsonParam, type Database, type Queryable } from './database.js';
import { toAuditEvent, type AuditRow } from './record-row-mappers.js';

/** Advisory lock key serialising appends at the chain's head ("olympus-audit"), across processes. */
export const AUDIT_LOCK_KEY = 7_081_326_002;
const VERIFY_BATCH = 1000;

/** What PostgreSQL's jsonb will give back: hashing this copy makes the stored event verify. */
function asStoredJson(data: Record<string, unknown> | undefined): Record<string, unknown> {
  return JSON.parse(JSON.stringify(data ?? {})) as Record<string, unknown>;
}

/**
 * Appends one event at the chain's head inside the caller's transaction: the advisory lock, held to its
 * commit, keeps the head where this event found it. Other repositories use it to store a change and its
 * event together.
 */
export async function appendAuditEvent(tx: Queryable, event: NewAuditEvent): Promise<AuditEvent> {
  const data = asStoredJson(event.data);
  await tx.rows(`SELECT pg_advisory_xact_lock(${AUDIT_LOCK_KEY})`);
  const head = await tx.one<{ seq: string; hash: string }>(
    'SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1',
  );
  // Millisecond precision, made here: PostgreSQL keeps it exactly, so the hash recomputes identically.
  const unhashed: UnhashedAuditEvent = {
    seq: head ? Number(head.seq) + 1 : 1,
    at: new Date(),
    actor: event.actor,
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    data,
    prevHash: head?.hash ?? GENESIS_HASH,
  };
  const stored: AuditEvent = { ...unhashed, hash: hashAuditEvent(unhashed) };
  await tx.rows(
    `INSERT INTO audit_events (seq, at, actor, action, subject_type, subject_id, data, prev_hash, hash)
     VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb, $8, $9)`,
    [
      stored.seq,
      stored.at,
      stored.actor,
      stored.action,
      stored.subjectType,
      stored.subjectId,
      jsonParam(stored.data),
      stored.prevHash,
      stored.hash,
    ],
  );
  return stored;
}

export class PostgresAuditRepository implements AuditRepository {
  constructor(private readonly db: Database) {}

  append(event: NewAuditEvent): Promise<AuditEvent> {
    return this.db.transaction((tx) => appendAuditEvent(tx, event));
  }

  async list(filter: { subjectId?: string; afterSeq?: number; limit?: number } = {}): Promise<AuditEvent[]> {
    const rows = await this.db.rows<AuditRow>(
      `SELECT * FROM audit_events
       WHERE ($1::text IS NULL OR subject_id = $1) AND seq > $2::bigint
       ORDER BY seq LIMIT $3::bigint`,
      [filter.subjectId ?? null, filter.afterSeq ?? 0, filter.limit ?? null],
    );
    return rows.map(toAuditEvent);
  }

  async verify(): Promise<AuditVerification> {
    return verifyChainAsync(this.inSeqOrder());
  }

  private async *inSeqOrder(): AsyncGenerator<AuditEvent> {
    let afterSeq = 0;
    for (;;) {
      const rows = await this.db.rows<AuditRow>(
        'SELECT * FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2',
        [afterSeq, VERIFY_BATCH],
      );
      for (const row of rows) yield toAuditEvent(row);
      const last = rows.at(-1);
      if (!last || rows.length < VERIFY_BATCH) return;
      afterSeq = Number(last.seq);
    }
  }
}
