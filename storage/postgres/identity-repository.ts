import { OlympusError, hasCode } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { Identity, IdentityHandle, IdentityRepository, NewIdentity, Role } from '../../ports/store.js';
import type { Database, Queryable } from './database.js';
import { toIdentity, type IdentityRow } from './row-mappers.js';

const HANDLES = `(SELECT coalesce(jsonb_agg(jsonb_build_object('surface', h.surface, 'externalId', h.external_id)
    ORDER BY h.ord), '[]'::jsonb) FROM identity_handles h WHERE h.identity_id = i.id) AS handles`;
const SELECT_IDENTITY = `SELECT i.id, i.display_name, i.role, i.local_only, i.timezone, i.created_at, ${HANDLES} FROM identities i`;

function handleLabel(handle: IdentityHandle): string {
  return `${handle.surface}:${handle.externalId}`;
}

function uniqueHandles(handles: IdentityHandle[]): IdentityHandle[] {
  const seen = new Map<string, IdentityHandle>();
  for (const handle of handles) seen.set(handleLabel(handle), handle);
  return [...seen.values()];
}

function handleTaken(handle: IdentityHandle, cause?: unknown): OlympusError {
  return new OlympusError('STORE_CONFLICT', `handle ${handleLabel(handle)} belongs to another identity`, {
    cause,
    details: { handle },
    userMessage: 'That account is already linked to someone else.',
  });
}

export class PostgresIdentityRepository implements IdentityRepository {
  constructor(private readonly db: Database) {}

  private async insert(tx: Queryable, id: string, input: NewIdentity): Promise<Identity> {
    await tx.rows('INSERT INTO identities (id, display_name, role, local_only) VALUES ($1, $2, $3, $4)', [
      id,
      input.displayName,
      input.role ?? 'client',
      input.localOnly ?? false,
    ]);
    for (const handle of uniqueHandles(input.handles ?? [])) {
      try {
        await tx.rows(
          'INSERT INTO identity_handles (surface, external_id, identity_id) VALUES ($1, $2, $3)',
          [handle.surface, handle.externalId, id],
        );
      } catch (error) {
        throw hasCode(error, 'STORE_CONFLICT') ? handleTaken(handle, error) : error;
      }
    }
    const row = await tx.one<IdentityRow>(`${SELECT_IDENTITY} WHERE i.id = $1`, [id]);
    if (!row) throw new OlympusError('INTERNAL', `identity ${id} vanished while being created`);
    return toIdentity(row);
  }

  async create(input: NewIdentity): Promise<Identity> {
    const id = newId();
    return this.db.transaction((tx) => this.insert(tx, id, input));
  }

  async get(id: string): Promise<Identity | null> {
    const row = await this.db.one<IdentityRow>(`${SELECT_IDENTITY} WHERE i.id = $1`, [id]);
    return row ? toIdentity(row) : null;
  }

  async findByHandle(handle: IdentityHandle): Promise<Identity | null> {
    const row = await this.db.one<IdentityRow>(
      `${SELECT_IDENTITY} JOIN identity_handles owner ON owner.identity_id = i.id
       WHERE owner.surface = $1 AND owner.external_id = $2`,
      [handle.surface, handle.externalId],
    );
    return row ? toIdentity(row) : null;
  }

  async ensureByHandle(handle: IdentityHandle, defaults: Omit<NewIdentity, 'handles'>): Promise<Identity> {
    // A concurrent creator makes our handle insert fail (after waiting for its commit): read the winner.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const existing = await this.findByHandle(handle);
      if (existing) return existing;
      try {
        return await this.db.transaction((tx) =>
          this.insert(tx, newId(), { ...defaults, handles: [handle] }),
        );
      } catch (error) {
        if (!hasCode(error, 'STORE_CONFLICT')) throw error;
      }
    }
    const winner = await this.findByHandle(handle);
    if (winner) return winner;
    throw new OlympusError('STORE_CONFLICT', `could not settle the owner of handle ${handleLabel(handle)}`, {
      retryable: true,
    });
  }

  async addHandle(id: string, handle: IdentityHandle): Promise<Identity | null> {
    const inserted = await this.db.one<{ identity_id: string }>(
      `INSERT INTO identity_handles (surface, external_id, identity_id)
       SELECT $1, $2, id FROM identities WHERE id = $3
       ON CONFLICT (surface, external_id) DO NOTHING RETURNING identity_id`,
      [handle.surface, handle.externalId, id],
    );
    if (inserted) return this.get(id);
    const identity = await this.get(id);
    if (!identity) return null;
    const owner = await this.db.one<{ identity_id: string }>(
      'SELECT identity_id FROM identity_handles WHERE surface = $1 AND external_id = $2',
      [handle.surface, handle.externalId],
    );
    if (owner && owner.identity_id !== id) throw handleTaken(handle);
    return identity;
  }

  async setRole(id: string, role: Role): Promise<Identity | null> {
    const row = await this.db.one<IdentityRow>(
      `WITH i AS (UPDATE identities SET role = $2 WHERE id = $1 RETURNING *)
       SELECT i.id, i.display_name, i.role, i.local_only, i.timezone, i.created_at, ${HANDLES} FROM i`,
      [id, role],
    );
    return row ? toIdentity(row) : null;
  }

  async setTimezone(id: string, timezone: string | null): Promise<Identity | null> {
    const row = await this.db.one<IdentityRow>(
      `WITH i AS (UPDATE identities SET timezone = $2 WHERE id = $1 RETURNING *)
       SELECT i.id, i.display_name, i.role, i.local_only, i.timezone, i.created_at, ${HANDLES} FROM i`,
      [id, timezone],
    );
    return row ? toIdentity(row) : null;
  }

  async list(): Promise<Identity[]> {
    const rows = await this.db.rows<IdentityRow>(`${SELECT_IDENTITY} ORDER BY i.ord`);
    return rows.map(toIdentity);
  }
}
