/**
 * Identity linking in MongoDB: one code document per identity (`_id` = identity id), an attempt as one
 * pipeline `findOneAndUpdate` guarded by unused + unexpired + under the attempt limit, and a handle moved
 * by pulling it from its owner and adding it to the identity (the unique `handleKeys` index keeps one
 * owner per handle throughout; a concurrent taker makes the add fail and the move is retried).
 */
import { OlympusError } from '../../common/errors.js';
import type { Identity, IdentityHandle, LinkCode } from '../../ports/domain.js';
import type { IdentityLinkRepository, LinkAttempt, NewLinkCode } from '../../ports/store.js';
import { handleKey, normalizeHandle, type Collections, type LinkCodeDoc } from './documents.js';
import { toIdentity } from './mapping.js';
import { isDuplicateKey } from './mongo-errors.js';

const MOVE_ATTEMPTS = 5;

function toLinkCode(doc: LinkCodeDoc): LinkCode {
  return {
    identityId: doc._id,
    handle: { ...doc.handle },
    codeHash: doc.codeHash,
    attempts: doc.attempts,
    expiresAt: new Date(doc.expiresAt),
    usedAt: doc.usedAt ? new Date(doc.usedAt) : null,
    createdAt: new Date(doc.createdAt),
  };
}

export class MongoIdentityLinkRepository implements IdentityLinkRepository {
  constructor(private readonly c: Collections) {}

  async createCode(input: NewLinkCode): Promise<LinkCode> {
    if ((await this.c.identities.countDocuments({ _id: input.identityId }, { limit: 1 })) === 0) {
      throw new OlympusError('NOT_FOUND', `identity ${input.identityId} does not exist`);
    }
    const doc: LinkCodeDoc = {
      _id: input.identityId,
      handle: normalizeHandle(input.handle),
      codeHash: input.codeHash,
      attempts: 0,
      expiresAt: input.expiresAt,
      usedAt: null,
      createdAt: new Date(),
    };
    await this.c.linkCodes.replaceOne({ _id: doc._id }, doc, { upsert: true });
    return toLinkCode(doc);
  }

  async attempt(identityId: string, codeHash: string, maxAttempts: number): Promise<LinkAttempt | null> {
    const now = new Date();
    const doc = await this.c.linkCodes.findOneAndUpdate(
      { _id: identityId, usedAt: null, expiresAt: { $gt: now }, attempts: { $lt: maxAttempts } },
      [
        {
          $set: {
            attempts: { $add: ['$attempts', 1] },
            usedAt: { $cond: [{ $eq: ['$codeHash', codeHash] }, now, null] },
          },
        },
      ],
      { returnDocument: 'after' },
    );
    return doc ? { code: toLinkCode(doc), matched: doc.usedAt !== null } : null;
  }

  async getCode(identityId: string): Promise<LinkCode | null> {
    const doc = await this.c.linkCodes.findOne({ _id: identityId });
    return doc ? toLinkCode(doc) : null;
  }

  async moveHandle(
    identityId: string,
    handle: IdentityHandle,
  ): Promise<{ identity: Identity; previousOwner: string | null; merged: boolean } | null> {
    const key = handleKey(handle);
    const normalized = normalizeHandle(handle);
    let previousOwner: string | null = null;
    for (let attempt = 0; attempt < MOVE_ATTEMPTS; attempt += 1) {
      if ((await this.c.identities.countDocuments({ _id: identityId }, { limit: 1 })) === 0) return null;
      const pulled = await this.c.identities.findOneAndUpdate(
        { handleKeys: key, _id: { $ne: identityId } },
        {
          $pull: {
            handles: { surface: normalized.surface, externalId: normalized.externalId },
            handleKeys: key,
          },
        },
        { returnDocument: 'after' },
      );
      if (pulled) {
        previousOwner = pulled._id;
        // A document never keeps an empty key array (see IdentityDoc).
        if ((pulled.handleKeys ?? []).length === 0)
          await this.c.identities.updateOne(
            { _id: pulled._id, handleKeys: { $size: 0 } },
            { $unset: { handleKeys: '' } },
          );
      }
      try {
        const doc = await this.c.identities.findOneAndUpdate(
          { _id: identityId },
          { $addToSet: { handles: normalized, handleKeys: key } },
          { returnDocument: 'after' },
        );
        if (!doc) return null;
        let merged = false;
        if (previousOwner !== null && pulled && (pulled.handleKeys ?? []).length === 0) {
          await this.c.conversations.updateMany({ identityId: previousOwner }, { $set: { identityId } });
          await this.c.projects.updateMany({ ownerId: previousOwner }, { $set: { ownerId: identityId } });
          merged = true;
        }
        return { identity: toIdentity(doc), previousOwner, merged };
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    }
    throw new OlympusError('STORE_CONFLICT', `could not move handle ${key}`, { retryable: true });
  }
}
