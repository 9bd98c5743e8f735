/**
 * Every index the MongoDB store relies on. `createIndexes` with an unchanged specification is a no-op,
 * so `ensureIndexes` is safe to run from many processes at once and on every start.
 *
 * The unique indexes carry correctness, not just speed: they are what turns concurrent inserts and
 * upserts into "exactly one wins" (handles, thread keys, project keys, brief versions, task keys).
 * Natural keys stored as `_id` (inbox, outbox, leases, audit `seq`) need no extra index.
 */
import type { Collection, Db, Document } from 'mongodb';
import { AGENDA_COLLECTION, collections } from './documents.js';

export async function ensureIndexes(db: Db): Promise<void> {
  const c = collections(db);
  await Promise.all([
    c.identities.createIndexes([
      {
        key: { handleKeys: 1 },
        name: 'handleKeys_unique',
        unique: true,
        // Only documents that have handles: a unique index keys a missing field as null, so without
        // the filter at most one identity could have no handles. `handleKeys` is never stored empty.
        partialFilterExpression: { handleKeys: { $exists: true } },
      },
      { key: { order: 1 }, name: 'order' },
    ]),
    c.conversations.createIndexes([
      { key: { surface: 1, threadKey: 1 }, name: 'surface_threadKey_unique', unique: true },
      { key: { identityId: 1, order: 1 }, name: 'identityId_order' },
    ]),
    c.projects.createIndexes([
      { key: { key: 1 }, name: 'key_unique', unique: true },
      { key: { ownerId: 1, order: 1 }, name: 'ownerId_order' },
      { key: { status: 1, order: 1 }, name: 'status_order' },
    ]),
    c.briefs.createIndexes([
      { key: { projectId: 1, version: 1 }, name: 'projectId_version_unique', unique: true },
    ]),
    c.tasks.createIndexes([
      { key: { projectId: 1, key: 1 }, name: 'projectId_key_unique', unique: true },
      { key: { projectId: 1, order: 1 }, name: 'projectId_order' },
    ]),
    c.checkpoints.createIndexes([
      { key: { projectId: 1, order: 1 }, name: 'projectId_order' },
      { key: { status: 1, order: 1 }, name: 'status_order' },
    ]),
    c.ledger.createIndexes([
      { key: { projectId: 1, at: 1, order: 1 }, name: 'projectId_at' },
      { key: { taskId: 1, at: 1, order: 1 }, name: 'taskId_at' },
      {
        key: { effectKey: 1 },
        name: 'effectKey_unique',
        unique: true,
        partialFilterExpression: { effectKey: { $type: 'string' } },
      },
    ]),
    c.audit.createIndexes([{ key: { subjectId: 1, _id: 1 }, name: 'subjectId_seq' }]),
    c.inbox.createIndexes([{ key: { status: 1, order: 1 }, name: 'status_order' }]),
    c.outbox.createIndexes([{ key: { status: 1, order: 1 }, name: 'status_order' }]),
    c.rateCounters.createIndexes([{ key: { expiresAt: 1 }, name: 'expiresAt_ttl', expireAfterSeconds: 0 }]),
    c.vaultVersions.createIndexes([{ key: { secret: 1, version: 1 }, name: 'secret_version' }]),
    dropRetiredIndex(c.secretLeases, 'checkpointId_unique').then(() =>
      c.secretLeases.createIndexes([
        // One lease per checkpoint and task: every task waiting on a credential gets its own.
        { key: { checkpointId: 1, taskId: 1 }, name: 'checkpointId_taskId_unique', unique: true },
        { key: { taskId: 1, order: 1 }, name: 'taskId_order' },
      ]),
    ),
    // The index @agendajs/mongo-backend creates on connect when `ensureIndex` is on (same keys and
    // name, so either side creating it first is fine); the store passes `ensureIndex: false`.
    db
      .collection(AGENDA_COLLECTION)
      .createIndex(
        { name: 1, nextRunAt: 1, priority: -1, lockedAt: 1, disabled: 1 },
        { name: 'findAndLockNextJobIndex' },
      ),
  ]);
}

/** Drops an index an earlier version created; absent (a new database, another process dropped it) is fine. */
async function dropRetiredIndex<T extends Document>(collection: Collection<T>, name: string): Promise<void> {
  try {
    await collection.dropIndex(name);
  } catch (error) {
    const code =
      (error as { codeName?: unknown; code?: unknown }).codeName ?? (error as { code?: unknown }).code;
    if (code !== 'IndexNotFound' && code !== 27 && code !== 'NamespaceNotFound' && code !== 26) throw error;
  }
}
