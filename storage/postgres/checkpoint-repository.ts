import { OlympusError } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type {
  CardRef,
  Checkpoint,
  CheckpointDecision,
  CheckpointRepository,
  CheckpointRequest,
  CheckpointWaiter,
  DecideOptions,
  DecideResult,
  DecisionInput,
  NewCheckpoint,
} from '../../ports/store.js';
import { appendAuditEvent } from './audit-repository.js';
import { jsonParam, type Database, type Queryable } from './database.js';
import { toCheckpoint, type CheckpointRow } from './row-mappers.js';

export class PostgresCheckpointRepository implements CheckpointRepository {
  constructor(private readonly db: Database) {}

  async open(input: NewCheckpoint): Promise<Checkpoint> {
    const row = await this.db.one<CheckpointRow>(
      `INSERT INTO checkpoints (id, project_id, task_id, kind, requested_by, request, expires_at, waiters)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8::jsonb) RETURNING *`,
      [
        newId(),
        input.projectId,
        input.taskId ?? null,
        input.kind,
        input.requestedBy,
        jsonParam(input.request),
        input.expiresAt ?? null,
        jsonParam((input.waiters ?? []).map((waiter) => waiterEntry(waiter))),
      ],
    );
    if (!row) throw new OlympusError('INTERNAL', 'checkpoint was not stored');
    return toCheckpoint(row);
  }

  async get(id: string): Promise<Checkpoint | null> {
    const row = await this.db.one<CheckpointRow>('SELECT * FROM checkpoints WHERE id = $1', [id]);
    return row ? toCheckpoint(row) : null;
  }

  async list(filter: { projectId?: string; status?: Checkpoint['status'][] } = {}): Promise<Checkpoint[]> {
    const rows = await this.db.rows<CheckpointRow>(
      `SELECT * FROM checkpoints
       WHERE ($1::text IS NULL OR project_id = $1) AND ($2::text[] IS NULL OR status = ANY($2))
       ORDER BY ord`,
      [filter.projectId ?? null, filter.status ?? null],
    );
    return rows.map(toCheckpoint);
  }

  async decide(id: string, input: DecisionInput, options: DecideOptions = {}): Promise<DecideResult> {
    const at = new Date();
    const decision: CheckpointDecision = { outcome: input.outcome, by: input.by, at };
    if (input.changes !== undefined) decision.changes = input.changes;
    if (input.reason !== undefined) decision.reason = input.reason;
    // Compare-and-set on status: of any number of concurrent deciders, exactly one matches `pending`;
    // with an expected action hash, only while the request still carries that hash.
    const cas = (db: Queryable) =>
      db.one<CheckpointRow>(
        `UPDATE checkpoints SET status = $2, decision = $3::jsonb, decided_at = $4
         WHERE id = $1 AND status = 'pending'
           AND ($5::text IS NULL OR request->>'actionHash' = $5::text) RETURNING *`,
        [id, input.outcome, jsonParam(decision), at, options.expectedActionHash ?? null],
      );
    const audit = options.audit;
    // With its audit event: one transaction, one commit (the event's chain lock is taken only by a winner).
    const decided = audit
      ? await this.db.transaction(async (tx) => {
          const row = await cas(tx);
          if (!row) return null;
          const checkpoint = toCheckpoint(row);
          await appendAuditEvent(tx, audit(checkpoint));
          return checkpoint;
        })
      : await cas(this.db).then((row) => (row ? toCheckpoint(row) : null));
    if (decided) return { won: true, checkpoint: decided };
    return { won: false, checkpoint: await this.get(id) };
  }

  async revise(id: string, request: CheckpointRequest): Promise<Checkpoint | null> {
    const row = await this.db.one<CheckpointRow>(
      `UPDATE checkpoints SET request = $2::jsonb WHERE id = $1 AND status = 'pending' RETURNING *`,
      [id, jsonParam(request)],
    );
    return row ? toCheckpoint(row) : null;
  }

  async addCard(id: string, card: CardRef): Promise<Checkpoint | null> {
    const ref = jsonParam([{ surface: card.surface, channel: card.channel, messageId: card.messageId }]);
    const row = await this.db.one<CheckpointRow>(
      `UPDATE checkpoints SET cards = CASE WHEN cards @> $2::jsonb THEN cards ELSE cards || $2::jsonb END
       WHERE id = $1 RETURNING *`,
      [id, ref],
    );
    return row ? toCheckpoint(row) : null;
  }

  async addWaiter(id: string, waiter: Omit<CheckpointWaiter, 'at'>): Promise<Checkpoint | null> {
    // One statement: appended unless an entry for the task is there already.
    const row = await this.db.one<CheckpointRow>(
      `UPDATE checkpoints SET waiters = CASE
         WHEN waiters @> jsonb_build_array(jsonb_build_object('taskId', $2::text)) THEN waiters
         ELSE waiters || jsonb_build_array($3::jsonb) END
       WHERE id = $1 RETURNING *`,
      [id, waiter.taskId, jsonParam(waiterEntry(waiter))],
    );
    return row ? toCheckpoint(row) : null;
  }

  async recordReminder(id: string): Promise<number | null> {
    const row = await this.db.one<{ reminders_sent: number }>(
      'UPDATE checkpoints SET reminders_sent = reminders_sent + 1 WHERE id = $1 RETURNING reminders_sent',
      [id],
    );
    return row ? row.reminders_sent : null;
  }
}

function waiterEntry(waiter: Omit<CheckpointWaiter, 'at'>): Record<string, string> {
  return {
    taskId: waiter.taskId,
    taskKey: waiter.taskKey,
    role: waiter.role,
    title: waiter.title,
    at: new Date().toISOString(),
  };
}
