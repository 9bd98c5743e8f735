/** Secret leases in PostgreSQL: names, versions and bindings only (values stay in the vault). */
import { newId } from '../../common/ids.js';
import type { NewSecretLease, SecretLease, SecretLeaseRepository } from '../../ports/store.js';
import type { Database } from './database.js';
import { toDate, toDateOrNull } from './row-mappers.js';

interface SecretLeaseRow {
  id: string;
  project_id: string;
  task_id: string;
  tool: string;
  credential: string;
  secret_name: string;
  secret_version: string;
  checkpoint_id: string;
  granted_by: string;
  expires_at: Date;
  revoked_at: Date | null;
  created_at: Date;
}

function toSecretLease(row: SecretLeaseRow): SecretLease {
  return {
    id: row.id,
    projectId: row.project_id,
    taskId: row.task_id,
    tool: row.tool,
    credential: row.credential,
    secretName: row.secret_name,
    secretVersion: row.secret_version,
    checkpointId: row.checkpoint_id,
    grantedBy: row.granted_by,
    expiresAt: toDate(row.expires_at),
    revokedAt: toDateOrNull(row.revoked_at),
    createdAt: toDate(row.created_at),
  };
}

export class PostgresSecretLeaseRepository implements SecretLeaseRepository {
  constructor(private readonly db: Database) {}

  async issue(input: NewSecretLease): Promise<SecretLease> {
    // One statement: the first lease of a checkpoint for a task wins; a repeat returns it unchanged.
    const inserted = await this.db.one<SecretLeaseRow>(
      `INSERT INTO secret_leases (id, project_id, task_id, tool, credential, secret_name, secret_version,
         checkpoint_id, granted_by, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (checkpoint_id, task_id) DO NOTHING
       RETURNING *`,
      [
        input.id ?? newId(),
        input.projectId,
        input.taskId,
        input.tool,
        input.credential,
        input.secretName,
        input.secretVersion,
        input.checkpointId,
        input.grantedBy,
        input.expiresAt,
      ],
    );
    if (inserted) return toSecretLease(inserted);
    const existing = await this.getByCheckpoint(input.checkpointId, input.taskId);
    if (!existing) throw new Error(`secret lease of checkpoint ${input.checkpointId} vanished`);
    return existing;
  }

  async get(id: string): Promise<SecretLease | null> {
    const row = await this.db.one<SecretLeaseRow>('SELECT * FROM secret_leases WHERE id = $1', [id]);
    return row ? toSecretLease(row) : null;
  }

  async getByCheckpoint(checkpointId: string, taskId?: string): Promise<SecretLease | null> {
    const row = await this.db.one<SecretLeaseRow>(
      `SELECT * FROM secret_leases WHERE checkpoint_id = $1 AND ($2::text IS NULL OR task_id = $2)
       ORDER BY ord LIMIT 1`,
      [checkpointId, taskId ?? null],
    );
    return row ? toSecretLease(row) : null;
  }

  async listByCheckpoint(checkpointId: string): Promise<SecretLease[]> {
    const rows = await this.db.rows<SecretLeaseRow>(
      'SELECT * FROM secret_leases WHERE checkpoint_id = $1 ORDER BY ord',
      [checkpointId],
    );
    return rows.map(toSecretLease);
  }

  async listByTask(taskId: string): Promise<SecretLease[]> {
    const rows = await this.db.rows<SecretLeaseRow>(
      'SELECT * FROM secret_leases WHERE task_id = $1 ORDER BY ord',
      [taskId],
    );
    return rows.map(toSecretLease);
  }

  async revoke(id: string): Promise<SecretLease | null> {
    const row = await this.db.one<SecretLeaseRow>(
      'UPDATE secret_leases SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1 RETURNING *',
      [id],
    );
    return row ? toSecretLease(row) : null;
  }
}
