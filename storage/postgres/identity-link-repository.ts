/**
 * Identity linking in PostgreSQL: one live code per identity (primary key `identity_id`), an attempt as
 * one UPDATE guarded by unused + unexpired + under the attempt limit, and a handle moved to another
 * identity in one transaction (the old owner, left without handles, merged into the new one).
 */
import { OlympusError } from '../../common/errors.js';
import type { Identity, IdentityHandle, LinkCode } from '../../ports/domain.js';
import type { IdentityLinkRepository, LinkAttempt, NewLinkCode } from '../../ports/store.js';
import type { Database } from './database.js';
import { PostgresIdentityRepository } from './identity-repository.js';

interface LinkCodeRow {
  identity_id: string;
  surface: string;
  external_id: string;
  code_hash: string;
  attempts: number;
  expires_at: Date;
  used_at: Date | null;
  created_at: Date;
  [column: string]: unknown;
}

function toLinkCode(row: LinkCodeRow): LinkCode {
  return {
    identityId: row.identity_id,
    handle: { surface: row.surface as IdentityHandle['surface'], externalId: row.external_id },
    codeHash: row.code_hash,
    attempts: Number(row.attempts),
    expiresAt: new Date(row.expires_at),
    usedAt: row.used_at ? new Date(row.used_at) : null,
    createdAt: new Date(row.created_at),
  };
}

export class PostgresIdentityLinkRepository implements IdentityLinkRepository {
  private readonly identities: PostgresIdentityRepository;

  constructor(private readonly db: Database) {
    this.identities = new PostgresIdentityRepository(db);
  }

  async createCode(input: NewLinkCode): Promise<LinkCode> {
    const row = await this.db.one<LinkCodeRow>(
      `INSERT INTO identity_link_codes (identity_id, surface, external_id, code_hash, expires_at)
       SELECT id, $2, $3, $4, $5 FROM identities WHERE id = $1
       ON CONFLICT (identity_id) DO UPDATE SET surface = EXCLUDED.surface, external_id = EXCLUDED.external_id,
         code_hash = EXCLUDED.code_hash, expires_at = EXCLUDED.expires_at, attempts = 0, used_at = NULL,
         created_at = now()
       RETURNING *`,
      [input.identityId, input.handle.surface, input.handle.externalId, input.codeHash, input.expiresAt],
    );
    if (!row) throw new OlympusError('NOT_FOUND', `identity ${input.identityId} does not exist`);
    return toLinkCode(row);
  }

  async attempt(identityId: string, codeHash: string, maxAttempts: number): Promise<LinkAttempt | null> {
    const row = await this.db.one<LinkCodeRow & { matched: boolean }>(
      `UPDATE identity_link_codes SET attempts = attempts + 1,
         used_at = CASE WHEN code_hash = $2 THEN now() ELSE NULL END
       WHERE identity_id = $1 AND used_at IS NULL AND expires_at > now() AND attempts < $3
       RETURNING *, (code_hash = $2) AS matched`,
      [identityId, codeHash, maxAttempts],
    );
    return row ? { code: toLinkCode(row), matched: row.matched } : null;
  }

  async getCode(identityId: string): Promise<LinkCode | null> {
    const row = await this.db.one<LinkCodeRow>('SELECT * FROM identity_link_codes WHERE identity_id = $1', [
      identityId,
    ]);
    return row ? toLinkCode(row) : null;
  }

  async moveHandle(
    identityId: string,
    handle: IdentityHandle,
  ): Promise<{ identity: Identity; previousOwner: string | null; merged: boolean } | null> {
    const moved = await this.db.transaction(async (tx) => {
      const target = await tx.one<{ id: string }>('SELECT id FROM identities WHERE id = $1 FOR UPDATE', [
        identityId,
      ]);
      if (!target) return null;
      const previous = await tx.one<{ identity_id: string }>(
        'SELECT identity_id FROM identity_handles WHERE surface = $1 AND external_id = $2 FOR UPDATE',
        [handle.surface, handle.externalId],
      );
      await tx.rows(
        `INSERT INTO identity_handles (surface, external_id, identity_id) VALUES ($1, $2, $3)
         ON CONFLICT (surface, external_id) DO UPDATE SET identity_id = EXCLUDED.identity_id`,
        [handle.surface, handle.externalId, identityId],
      );
      const previousOwner = previous && previous.identity_id !== identityId ? previous.identity_id : null;
      let merged = false;
      if (previousOwner !== null) {
        const left = await tx.one<{ count: string }>(
          'SELECT count(*) AS count FROM identity_handles WHERE identity_id = $1',
          [previousOwner],
        );
        if (Number(left?.count ?? 0) === 0) {
          await tx.rows('UPDATE conversations SET identity_id = $2 WHERE identity_id = $1', [
            previousOwner,
            identityId,
          ]);
          await tx.rows('UPDATE projects SET owner_id = $2 WHERE owner_id = $1', [previousOwner, identityId]);
          merged = true;
        }
      }
      return { previousOwner, merged };
    });
    if (!moved) return null;
    const identity = await this.identities.get(identityId);
    if (!identity) return null;
    return { identity, ...moved };
  }
}
