/**
 * The local vault's records as files, for the embedded single-process default (no shared store). Layout
 * under the vault directory (directories 0700, files 0600, every write atomic, see local-vault-files.ts):
 *   keycheck.json                       the key check value
 *   secrets/<name>/secret.json          labels and creation time
 *   secrets/<name>/versions/<n>.json    state, times and the sealed value (none once destroyed)
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { OlympusError } from '../../common/errors.js';
import {
  createFileExclusive,
  ensurePrivateDir,
  isCode,
  readTextOrNull,
  replaceAndWipe,
  writeFileAtomic,
} from './local-vault-files.js';
import type {
  SealedValue,
  VaultRecordRepository,
  VaultSecretRecord,
  VaultVersionMeta,
  VaultVersionRecord,
} from '../../ports/vault-records.js';

const sealedShape = z.object({ iv: z.string(), tag: z.string(), ciphertext: z.string() });
const secretFile = z.object({ labels: z.record(z.string(), z.string()), createdAt: z.string() });
const versionFile = z.object({
  state: z.enum(['enabled', 'disabled', 'destroyed']),
  createdAt: z.string(),
  destroyedAt: z.string().nullable(),
  sealed: sealedShape.nullable(),
});
type VersionFile = z.infer<typeof versionFile>;

export class FileVaultRecords implements VaultRecordRepository {
  private constructor(private readonly dir: string) {}

  /** Creates the vault directory (0700) if needed. */
  static async open(dir: string): Promise<FileVaultRecords> {
    await ensurePrivateDir(dir);
    await ensurePrivateDir(path.join(dir, 'secrets'));
    return new FileVaultRecords(dir);
  }

  async createSecret(secret: VaultSecretRecord): Promise<boolean> {
    await ensurePrivateDir(this.secretDir(secret.name));
    await ensurePrivateDir(this.versionsDir(secret.name));
    const body = JSON.stringify({ labels: secret.labels, createdAt: secret.createdAt.toISOString() });
    return createFileExclusive(this.secretFile(secret.name), body);
  }

  async getSecret(name: string): Promise<VaultSecretRecord | null> {
    const file = this.secretFile(name);
    const text = await readTextOrNull(file);
    if (text === null) return null;
    const parsed = parse(secretFile, text, file);
    return { name, labels: parsed.labels, createdAt: new Date(parsed.createdAt) };
  }

  async lastVersion(secret: string): Promise<number> {
    const ids = await this.versionIds(secret);
    return ids.length === 0 ? 0 : Math.max(...ids);
  }

  insertVersion(version: VaultVersionRecord): Promise<boolean> {
    return createFileExclusive(
      this.versionFile(version.secret, version.version),
      JSON.stringify(toFile(version)),
    );
  }

  async getVersion(secret: string, version: number): Promise<VaultVersionRecord | null> {
    const file = this.versionFile(secret, version);
    const text = await readTextOrNull(file);
    if (text === null) return null;
    const parsed = parse(versionFile, text, file);
    return {
      secret,
      version,
      state: parsed.state,
      createdAt: new Date(parsed.createdAt),
      destroyedAt: parsed.destroyedAt === null ? null : new Date(parsed.destroyedAt),
      sealed: parsed.sealed,
    };
  }

  async listVersions(secret: string): Promise<VaultVersionMeta[]> {
    const out: VaultVersionMeta[] = [];
    for (const id of (await this.versionIds(secret)).sort((a, b) => a - b)) {
      const record = await this.getVersion(secret, id);
      if (record) out.push(meta(record));
    }
    return out;
  }

  async setState(
    secret: string,
    version: number,
    state: 'enabled' | 'disabled',
  ): Promise<VaultVersionMeta | null> {
    const record = await this.getVersion(secret, version);
    if (record === null || record.state === 'destroyed' || record.state === state)
      return record && meta(record);
    const changed = { ...record, state };
    await writeFileAtomic(this.versionFile(secret, version), JSON.stringify(toFile(changed)));
    return meta(changed);
  }

  async destroy(secret: string, version: number, at: Date): Promise<VaultVersionMeta | null> {
    const record = await this.getVersion(secret, version);
    if (record === null || record.state === 'destroyed') return record && meta(record);
    const tombstone: VaultVersionRecord = { ...record, state: 'destroyed', destroyedAt: at, sealed: null };
    await replaceAndWipe(this.versionFile(secret, version), JSON.stringify(toFile(tombstone)));
    return meta(tombstone);
  }

  async keyCheck(candidate: SealedValue): Promise<SealedValue> {
    const file = path.join(this.dir, 'keycheck.json');
    let text = await readTextOrNull(file);
    if (text === null) {
      if (await createFileExclusive(file, JSON.stringify(candidate))) return candidate;
      text = (await readTextOrNull(file)) ?? '';
    }
    return parse(sealedShape, text, file, 'the vault key check file');
  }

  private async versionIds(secret: string): Promise<number[]> {
    try {
      const entries = await readdir(this.versionsDir(secret));
      return entries
        .filter((entry) => /^[1-9][0-9]*\.json$/.test(entry))
        .map((entry) => Number.parseInt(entry, 10));
    } catch (error) {
      if (isCode(error, 'ENOENT')) return [];
      throw error;
    }
  }

  private secretDir(name: string): string {
    return path.join(this.dir, 'secrets', name);
  }
  private secretFile(name: string): string {
    return path.join(this.secretDir(name), 'secret.json');
  }
  private versionsDir(name: string): string {
    return path.join(this.secretDir(name), 'versions');
  }
  private versionFile(name: string, version: number): string {
    return path.join(this.versionsDir(name), `${version}.json`);
  }
}

function toFile(record: VaultVersionRecord): VersionFile {
  return {
    state: record.state,
    createdAt: record.createdAt.toISOString(),
    destroyedAt: record.destroyedAt === null ? null : record.destroyedAt.toISOString(),
    sealed: record.sealed,
  };
}

function meta(record: VaultVersionRecord): VaultVersionMeta {
  const { secret, version, state, createdAt, destroyedAt } = record;
  return { secret, version, state, createdAt, destroyedAt };
}

function parse<T>(schema: z.ZodType<T>, text: string, file: string, what = 'vault file'): T {
  try {
    return schema.parse(JSON.parse(text));
  } catch (error) {
    throw new OlympusError('VAULT_INTEGRITY', `${what} ${file} is damaged`, {
      userMessage: 'A stored secret could not be read safely; an operator needs to check the vault.',
      cause: error,
    });
  }
}
