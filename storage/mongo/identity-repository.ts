/**
 * Identities. Each handle is also kept as a string `<surface>:<externalId>` in `handleKeys`, which has
 * a unique multikey index: a unique index on a string array is unique per element across documents,
 * unlike a compound index on `handles.surface` + `handles.externalId`, whose keys could pair fields of
 * different elements. So "one owner per handle" is enforced by the database on every write.
 */
import { OlympusError } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { Identity, IdentityHandle } from '../../ports/domain.js';
import type { IdentityRepository, NewIdentity } from '../../ports/store.js';
import type { Collections, IdentityDoc } from './documents.js';
import { asStored, handleKey, nextOrder, normalizeHandle } from './documents.js';
import { toIdentity } from './mapping.js';
import { conflict, isDuplicateKey } from './mongo-errors.js';

/** Upper bound on upsert retries in `ensureByHandle`; each retry means another process just won. */
const ENSURE_ATTEMPTS = 5;

function newIdentityDoc(input: Omit<NewIdentity, 'handles'>, handles: IdentityHandle[]): IdentityDoc {
  const unique = new Map<string, IdentityHandle>();
  for (const handle of handles) unique.set(handleKey(handle), normalizeHandle(handle));
  const doc: IdentityDoc = {
    _id: newId(),
    order: nextOrder(),
    displayName: input.displayName,
    role: input.role ?? 'client',
    handles: [...unique.values()],
    localOnly: input.localOnly ?? false,
    createdAt: new Date(),
  };
  if (unique.size > 0) doc.handleKeys = [...unique.keys()];
  return doc;
}

export class MongoIdentityRepository implements IdentityRepository {
  constructor(private readonly c: Collections) {}

  async create(input: NewIdentity): Promise<Identity> {
    const doc = newIdentityDoc(input, input.handles ?? []);
    try {
      await this.c.identities.insertOne(doc);
    } catch (error) {
      if (isDuplicateKey(error)) {
        throw conflict('one of the handles already belongs to another identity', error, {
          handles: doc.handleKeys ?? [],
        });
      }
      throw error;
    }
    return toIdentity(asStored(doc));
  }

  async get(id: string): Promise<Identity | null> {
    const doc = await this.c.identities.findOne({ _id: id });
    return doc ? toIdentity(doc) : null;
  }

  async findByHandle(handle: IdentityHandle): Promise<Identity | null> {
    const doc = await this.c.identities.findOne({ handleKeys: handleKey(handle) });
    return doc ? toIdentity(doc) : null;
  }

  /**
   * One upsert: finds the owner of the handle or inserts a new identity holding it. Two concurrent
   * upserts for a new handle may both try to insert; the unique index lets exactly one succeed and the
   * loser (E11000) reads the winner's identity.
   */
  async ensureByHandle(handle: IdentityHandle, defaults: Omit<NewIdentity, 'handles'>): Promise<Identity> {
    const key = handleKey(handle);
    let lastError: unknown;
    for (let attempt = 0; attempt < ENSURE_ATTEMPTS; attempt += 1) {
      try {
        // `$elemMatch` (not an equality) keeps the filter out of the upserted document.
        const doc = await this.c.identities.findOneAndUpdate(
          { handleKeys: { $elemMatch: { $eq: key } } },
          { $setOnInsert: newIdentityDoc(defaults, [handle]) },
          { upsert: true, returnDocument: 'after' },
        );
        if (doc) return toIdentity(doc);
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        lastError = error;
      }
      const winner = await this.findByHandle(handle);
      if (winner) return winner;
    }
    throw new OlympusError('STORE_CONFLICT', `could not settle the owner of handle ${key}`, {
      retryable: true,
      cause: lastError,
    });
  }

  async addHandle(id: string, handle: IdentityHandle): Promise<Identity | null> {
    const key = handleKey(handle);
    try {
      const doc = await this.c.identities.findOneAndUpdate(
        { _id: id },
        { $addToSet: { handles: normalizeHandle(handle), handleKeys: key } },
        { returnDocument: 'after' },
      );
      return doc ? toIdentity(doc) : null;
    } catch (error) {
      if (isDuplicateKey(error)) {
        throw conflict(`handle ${key} already belongs to another identity`, error, {
          handle: key,
          identityId: id,
        });
      }
      throw error;
    }
  }

  async setRole(id: string, role: Identity['role']): Promise<Identity | null> {
    const doc = await this.c.identities.findOneAndUpdate(
      { _id: id },
      { $set: { role } },
      { returnDocument: 'after' },
    );
    return doc ? toIdentity(doc) : null;
  }

  async setTimezone(id: string, timezone: string | null): Promise<Identity | null> {
    const doc = await this.c.identities.findOneAndUpdate(
      { _id: id },
      timezone === null ? { $unset: { timezone: '' } } : { $set: { timezone } },
      { returnDocument: 'after' },
    );
    return doc ? toIdentity(doc) : null;
  }

  async list(): Promise<Identity[]> {
    const docs = await this.c.identities.find({}).sort({ order: 1, _id: 1 }).toArray();
    return docs.map(toIdentity);
  }
}
