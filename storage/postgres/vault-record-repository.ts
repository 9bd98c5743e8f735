/**
 * The local vault's sealed records on PostgreSQL (migration 10): `vault_secrets`, `vault_secret_versions`
 * (one row per version: state, IV, tag and ciphertext, the three dropped once destroyed) and the one-row
 * `vault_key_check`. A version number is claimed by its primary key, a state change is one guarded UPDATE.
 * A destroyed ciphertext stays in the dead row version until VACUUM reclaims it; the key protects it.
 */
import type {
  SealedValue,
  VaultRecordRepository,
  VaultSecretRecord,
  VaultVersionMeta,
  VaultVersionRecord,
} from '../../ports/vault-records.js';
import { OlympusError } from '../../common/errors.js';
import { jsonParam, type Database } from './database.js';

interface VersionRow {
  secret: string;
  version: number;
  state: VaultVersionRecord['state'];
  iv: string | null;
  tag: string | null;
  ciphertext: string | null;
  created_at: Date;
  destroyed_at: Date | null;
}

const META_COLUMNS = 'secret, version, state, created_at, destroyed_at';
const KEY_CHECK_ID = 'local';

function toMeta(row: Omit<VersionRow, 'iv' | 'tag' | 'ciphertext'>): VaultVersionMeta {
  return {
    secret: row.secret,
    version: row.version,
    state: row.state,
    createdAt: row.created_at,
    destroyedAt: row.destroyed_at,
  };
}

export class PostgresVaultRecordRepository implements VaultRecordRepository {
  constructor(private readonly db: Database) {}

  async createSecret(secret: VaultSecretRecord): Promise<boolean> {
    const row = await this.db.one<{ name: string }>(
      `INSERT INTO vault_secrets (name, labels, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO NOTHING RETURNING name`,
      [secret.name, jsonParam(secret.labels), secret.createdAt],
    );
    return row !== null;
  }

  async getSecret(name: string): Promise<VaultSecretRecord | null> {
    const row = await this.db.one<{ name: string; labels: Record<string, string>; created_at: Date }>(
      'SELECT name, labels, created_at FROM vault_secrets WHERE name = $1',
      [name],
    );
    return row && { name: row.name, labels: row.labels, createdAt: row.created_at };
  }

  async lastVersion(secret: string): Promise<number> {
    const row = await this.db.one<{ last: number | null }>(
      'SELECT max(version) AS last FROM vault_secret_versions WHERE secret = $1',
      [secret],
    );
    return row?.last ?? 0;
  }

  async insertVersion(version: VaultVersionRecord): Promise<boolean> {
    const row = await this.db.one<{ version: number }>(
      `INSERT INTO vault_secret_versions (secret, version, state, iv, tag, ciphertext, created_at, destroyed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (secret, version) DO NOTHING RETURNING version`,
      [
        version.secret,
        version.version,
        version.state,
        version.sealed?.iv ?? null,
        version.sealed?.tag ?? null,
        version.sealed?.ciphertext ?? null,
        version.createdAt,
        version.destroyedAt,
      ],
    );
    return row !== null;
  }

  async getVersion(secret: string, version: number): Promise<VaultVersionRecord | null> {
    const row = await this.db.one<VersionRow>(
      `SELECT ${META_COLUMNS}, iv, tag, ciphertext FROM vault_secret_versions WHERE secret = $1 AND version = $2`,
      [secret, version],
    );
    if (row === null) return null;
    const sealed =
      row.iv !== null && row.tag !== null && row.ciphertext !== null
        ? { iv: row.iv, tag: row.tag, ciphertext: row.ciphertext }
        : null;
    return { ...toMeta(row), sealed };
  }

  async listVersions(secret: string): Promise<VaultVersionMeta[]> {
    const rows = await this.db.rows<VersionRow>(
      `SELECT ${META_COLUMNS} FROM vault_secret_versions WHERE secret = $1 ORDER BY version`,
      [secret],
    );
    return rows.map(toMeta);
  }

  async setState(
    secret: string,
    version: number,
    state: 'enabled' | 'disabled',
  ): Promise<VaultVersionMeta | null> {
    const changed = await this.db.one<VersionRow>(
      `UPDATE vault_secret_versions SET state = $3
       WHERE secret = $1 AND version = $2 AND state <> 'destroyed'
       RETURNING ${META_COLUMNS}`,
      [secret, version, state],
    );
    return changed ? toMeta(changed) : this.meta(secret, version);
  }

  async destroy(secret: string, version: number, at: Date): Promise<VaultVersionMeta | null> {
    const changed = await this.db.one<VersionRow>(
      `UPDATE vault_secret_versions
       SET state = 'destroyed', iv = NULL, tag = NULL, ciphertext = NULL, destroyed_at = $3
       WHERE secret = $1 AND version = $2 AND state <> 'destroyed'
       RETURNING ${META_COLUMNS}`,
      [secret, version, at],
    );
    return changed ? toMeta(changed) : this.meta(secret, version);
  }

  async keyCheck(candidate: SealedValue): Promise<SealedValue> {
    // Two statements, not one: the SELECT must see a row another process committed first.
    await this.db.one(
      `INSERT INTO vault_key_check (id, iv, tag, ciphertext) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO NOTHING`,
      [KEY_CHECK_ID, candidate.iv, candidate.tag, candidate.ciphertext],
    );
    const row = await this.db.one<SealedValue>(
      'SELECT iv, tag, ciphertext FROM vault_key_check WHERE id = $1',
      [KEY_CHECK_ID],
    );
    if (row === null)
      throw new OlympusError('VAULT_INTEGRITY', 'the vault key check value vanished from the store');
    return row;
  }

  private async meta(secret: string, version: number): Promise<VaultVersionMeta | null> {
    const row = await this.db.one<VersionRow>(
      `SELECT ${META_COLUMNS} FROM vault_secret_versions WHERE secret = $1 AND version = $2`,
      [secret, version],
    );
    return row && toMeta(row);
  }
}
