/**
 * The local vault's sealed records on MongoDB: `vaultSecrets` (`_id` the name), `vaultSecretVersions`
 * (`_id` `<secret>/<version>`, so inserting a taken version number fails on the primary key) and the
 * one-document `vaultKeyCheck`. Every write is one single-document operation guarded by its filter.
 */
import { OlympusError } from '../../common/errors.js';
import type {
  SealedValue,
  VaultRecordRepository,
  VaultSecretRecord,
  VaultVersionMeta,
  VaultVersionRecord,
} from '../../ports/vault-records.js';
import type { Collections, VaultVersionDoc } from './documents.js';
import { isDuplicateKey } from './mongo-errors.js';

const KEY_CHECK_ID = 'local';
const META = { projection: { sealed: 0 } } as const;

function versionId(secret: string, version: number): string {
  return `${secret}/${version}`;
}

function toMeta(doc: Omit<VaultVersionDoc, 'sealed'>): VaultVersionMeta {
  return {
    secret: doc.secret,
    version: doc.version,
    state: doc.state,
    createdAt: doc.createdAt,
    destroyedAt: doc.destroyedAt,
  };
}

async function insertedOnce(insert: () => Promise<unknown>): Promise<boolean> {
  try {
    await insert();
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

export class MongoVaultRecordRepository implements VaultRecordRepository {
  constructor(private readonly c: Collections) {}

  createSecret(secret: VaultSecretRecord): Promise<boolean> {
    return insertedOnce(() =>
      this.c.vaultSecrets.insertOne({
        _id: secret.name,
        labels: { ...secret.labels },
        createdAt: secret.createdAt,
      }),
    );
  }

  async getSecret(name: string): Promise<VaultSecretRecord | null> {
    const doc = await this.c.vaultSecrets.findOne({ _id: name });
    return doc && { name: doc._id, labels: doc.labels, createdAt: doc.createdAt };
  }

  async lastVersion(secret: string): Promise<number> {
    const doc = await this.c.vaultVersions.findOne(
      { secret },
      { sort: { version: -1 }, projection: { version: 1 } },
    );
    return doc?.version ?? 0;
  }

  insertVersion(version: VaultVersionRecord): Promise<boolean> {
    return insertedOnce(() =>
      this.c.vaultVersions.insertOne({
        _id: versionId(version.secret, version.version),
        secret: version.secret,
        version: version.version,
        state: version.state,
        sealed: version.sealed && { ...version.sealed },
        createdAt: version.createdAt,
        destroyedAt: version.destroyedAt,
      }),
    );
  }

  async getVersion(secret: string, version: number): Promise<VaultVersionRecord | null> {
    const doc = await this.c.vaultVersions.findOne({ _id: versionId(secret, version) });
    if (doc === null) return null;
    const sealed = doc.sealed && {
      iv: doc.sealed.iv,
      tag: doc.sealed.tag,
      ciphertext: doc.sealed.ciphertext,
    };
    return { ...toMeta(doc), sealed };
  }

  async listVersions(secret: string): Promise<VaultVersionMeta[]> {
    const docs = await this.c.vaultVersions.find({ secret }, { ...META, sort: { version: 1 } }).toArray();
    return docs.map(toMeta);
  }

  async setState(
    secret: string,
    version: number,
    state: 'enabled' | 'disabled',
  ): Promise<VaultVersionMeta | null> {
    const changed = await this.c.vaultVersions.findOneAndUpdate(
      { _id: versionId(secret, version), state: { $ne: 'destroyed' } },
      { $set: { state } },
      { ...META, returnDocument: 'after' },
    );
    return changed ? toMeta(changed) : this.meta(secret, version);
  }

  async destroy(secret: string, version: number, at: Date): Promise<VaultVersionMeta | null> {
    const changed = await this.c.vaultVersions.findOneAndUpdate(
      { _id: versionId(secret, version), state: { $ne: 'destroyed' } },
      { $set: { state: 'destroyed', sealed: null, destroyedAt: at } },
      { ...META, returnDocument: 'after' },
    );
    return changed ? toMeta(changed) : this.meta(secret, version);
  }

  async keyCheck(candidate: SealedValue): Promise<SealedValue> {
    await insertedOnce(() =>
      this.c.vaultKeyCheck.insertOne({ _id: KEY_CHECK_ID, sealed: { ...candidate }, createdAt: new Date() }),
    );
    const doc = await this.c.vaultKeyCheck.findOne({ _id: KEY_CHECK_ID });
    if (doc === null)
      throw new OlympusError('VAULT_INTEGRITY', 'the vault key check value vanished from the store');
    return { iv: doc.sealed.iv, tag: doc.sealed.tag, ciphertext: doc.sealed.ciphertext };
  }

  private async meta(secret: string, version: number): Promise<VaultVersionMeta | null> {
    const doc = await this.c.vaultVersions.findOne({ _id: versionId(secret, version) }, META);
    return doc && toMeta(doc);
  }
}
