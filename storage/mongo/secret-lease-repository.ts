/**
 * Secret leases in MongoDB: names, versions and bindings only (values stay in the vault). The unique
 * index on `checkpointId` and `taskId` makes `issue` idempotent: a second insert for the same checkpoint
 * and task fails with E11000 and the first lease is returned instead.
 */
import { newId } from '../../common/ids.js';
import type { SecretLease } from '../../ports/domain.js';
import type { NewSecretLease, SecretLeaseRepository } from '../../ports/store.js';
import { nextOrder, type Collections, type SecretLeaseDoc } from './documents.js';
import { isDuplicateKey } from './mongo-errors.js';

function toSecretLease(doc: SecretLeaseDoc): SecretLease {
  return {
    id: doc._id,
    projectId: doc.projectId,
    taskId: doc.taskId,
    tool: doc.tool,
    credential: doc.credential,
    secretName: doc.secretName,
    secretVersion: doc.secretVersion,
    checkpointId: doc.checkpointId,
    grantedBy: doc.grantedBy,
    expiresAt: new Date(doc.expiresAt),
    revokedAt: doc.revokedAt ? new Date(doc.revokedAt) : null,
    createdAt: new Date(doc.createdAt),
  };
}

export class MongoSecretLeaseRepository implements SecretLeaseRepository {
  constructor(private readonly c: Collections) {}

  async issue(input: NewSecretLease): Promise<SecretLease> {
    const doc: SecretLeaseDoc = {
      _id: input.id ?? newId(),
      order: nextOrder(),
      projectId: input.projectId,
      taskId: input.taskId,
      tool: input.tool,
      credential: input.credential,
      secretName: input.secretName,
      secretVersion: input.secretVersion,
      checkpointId: input.checkpointId,
      grantedBy: input.grantedBy,
      expiresAt: input.expiresAt,
      revokedAt: null,
      createdAt: new Date(),
    };
    try {
      await this.c.secretLeases.insertOne(doc);
      return toSecretLease(doc);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const existing = await this.getByCheckpoint(input.checkpointId, input.taskId);
      if (!existing) throw error;
      return existing;
    }
  }

  async get(id: string): Promise<SecretLease | null> {
    const doc = await this.c.secretLeases.findOne({ _id: id });
    return doc ? toSecretLease(doc) : null;
  }

  async getByCheckpoint(checkpointId: string, taskId?: string): Promise<SecretLease | null> {
    const doc = await this.c.secretLeases.findOne(
      { checkpointId, ...(taskId !== undefined ? { taskId } : {}) },
      { sort: { order: 1 } },
    );
    return doc ? toSecretLease(doc) : null;
  }

  async listByCheckpoint(checkpointId: string): Promise<SecretLease[]> {
    const docs = await this.c.secretLeases.find({ checkpointId }).sort({ order: 1 }).toArray();
    return docs.map(toSecretLease);
  }

  async listByTask(taskId: string): Promise<SecretLease[]> {
    const docs = await this.c.secretLeases.find({ taskId }).sort({ order: 1 }).toArray();
    return docs.map(toSecretLease);
  }

  async revoke(id: string): Promise<SecretLease | null> {
    await this.c.secretLeases.updateOne({ _id: id, revokedAt: null }, { $set: { revokedAt: new Date() } });
    return this.get(id);
  }
}
