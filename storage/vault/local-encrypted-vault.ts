/**
 * The default vault: one AES-256-GCM encrypted file per secret version under `<dataDir>/vault/`
 * (directories 0700, files 0600, every write atomic). Layout:
 *   master.key                          only when the key was generated (see master-key.ts)
 *   keycheck.json                       a known value sealed with the key: a wrong key is caught at open
 *   secrets/<name>/secret.json          labels and creation time
 *   secrets/<name>/versions/<n>.json    state, times and the sealed value (none once destroyed)
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { OlympusError } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { SecretRedactor } from '../../common/logging/redactor.js';
import { deriveDataKey, open, seal, valueContext } from './local-cipher.js';
import {
  createFileExclusive,
  ensurePrivateDir,
  isCode,
  readTextOrNull,
  replaceAndWipe,
  writeFileAtomic,
} from './local-vault-files.js';
import { loadMasterKey, verifyKey } from './master-key.js';
import {
  assertLabels,
  assertSecretName,
  assertValue,
  assertVersion,
  secretExists,
  secretNotFound,
  versionNotEnabled,
  type SecretInfo,
  type SecretLabels,
  type SecretVersionInfo,
  type Vault,
} from '../../ports/vault.js';

export interface LocalVaultOptions {
  /** Olympus' data directory; the vault lives in `<dataDir>/vault`. */
  dataDir: string;
  /** OLYMPUS_MASTER_KEY, or null to use (or generate) `<dataDir>/vault/master.key`. */
  masterKey: string | null;
  logger: Logger;
  /** Learns the master key (as hex and base64) so no log line can carry it. */
  redactor?: SecretRedactor;
}

const sealedShape = { iv: z.string(), tag: z.string(), ciphertext: z.string() };
const secretFile = z.object({ labels: z.record(z.string(), z.string()), createdAt: z.string() });
const versionFile = z.object({
  state: z.enum(['enabled', 'disabled', 'destroyed']),
  createdAt: z.string(),
  destroyedAt: z.string().nullable(),
  sealed: z.object(sealedShape).nullable(),
});
type VersionFile = z.infer<typeof versionFile>;

const MAX_ADD_ATTEMPTS = 50;

function integrity(message: string, cause?: unknown): OlympusError {
  return new OlympusError('VAULT_INTEGRITY', message, {
    userMessage: 'A stored secret could not be read safely; an operator needs to check the vault.',
    cause,
  });
}

export class LocalEncryptedVault implements Vault {
  readonly kind = 'local';
  readonly description: string;

  private closed = false;

  private constructor(
    private readonly dir: string,
    private readonly dataKey: Buffer,
  ) {
    this.description = `local encrypted vault in ${dir}`;
  }

  /** Opens (creating if needed) the vault and checks the key against the one it was created with. */
  static async open(options: LocalVaultOptions): Promise<LocalEncryptedVault> {
    const dir = path.join(options.dataDir, 'vault');
    await ensurePrivateDir(dir);
    await ensurePrivateDir(path.join(dir, 'secrets'));
    const master = await loadMasterKey(dir, options.masterKey, options.logger);
    options.redactor?.add(master.key.toString('hex'));
    options.redactor?.add(master.key.toString('base64'));
    const key = deriveDataKey(master.key);
    await verifyKey(dir, key, master.source === 'config' ? 'OLYMPUS_MASTER_KEY' : `${master.file}`);
    return new LocalEncryptedVault(dir, key);
  }

  async createSecret(name: string, labels: SecretLabels): Promise<SecretInfo> {
    assertSecretName(name);
    assertLabels(labels);
    const createdAt = new Date();
    await ensurePrivateDir(this.secretDir(name));
    await ensurePrivateDir(this.versionsDir(name));
    const body = JSON.stringify({ labels: { ...labels }, createdAt: createdAt.toISOString() });
    if (!(await createFileExclusive(this.secretFile(name), body))) throw secretExists(name);
    return { name, labels: { ...labels }, createdAt };
  }

  async getSecret(name: string): Promise<SecretInfo> {
    assertSecretName(name);
    const text = await readTextOrNull(this.secretFile(name));
    if (text === null) throw secretNotFound(name);
    const parsed = parse(secretFile, text, this.secretFile(name));
    return { name, labels: parsed.labels, createdAt: new Date(parsed.createdAt) };
  }

  async addVersion(name: string, value: string): Promise<string> {
    assertValue(value);
    await this.getSecret(name);
    const existing = await this.versionIds(name);
    let next = existing.length === 0 ? 1 : Math.max(...existing) + 1;
    for (let attempt = 0; attempt < MAX_ADD_ATTEMPTS; attempt++, next++) {
      const version = String(next);
      const body: VersionFile = {
        state: 'enabled',
        createdAt: new Date().toISOString(),
        destroyedAt: null,
        sealed: seal(this.key, Buffer.from(value, 'utf8'), valueContext(name, version)),
      };
      if (await createFileExclusive(this.versionFile(name, version), JSON.stringify(body))) return version;
    }
    throw new OlympusError('VAULT_UNAVAILABLE', `could not claim a version id for secret ${name}`, {
      retryable: true,
    });
  }

  async access(name: string, version: string): Promise<string> {
    const file = await this.readVersion(name, version);
    if (file.state !== 'enabled' || file.sealed === null)
      throw versionNotEnabled(name, version, file.state === 'disabled' ? 'disabled' : 'destroyed');
    const plain = open(this.key, file.sealed, valueContext(name, version));
    if (plain === null)
      throw integrity(
        `version ${version} of secret ${name} failed authentication: altered, moved or another key`,
      );
    return plain.toString('utf8');
  }

  async disableVersion(name: string, version: string): Promise<void> {
    await this.setState(name, version, 'disabled');
  }

  async enableVersion(name: string, version: string): Promise<void> {
    await this.setState(name, version, 'enabled');
  }

  async destroyVersion(name: string, version: string): Promise<void> {
    const file = await this.readVersion(name, version);
    if (file.state === 'destroyed') return;
    const tombstone: VersionFile = {
      state: 'destroyed',
      createdAt: file.createdAt,
      destroyedAt: new Date().toISOString(),
      sealed: null,
    };
    await replaceAndWipe(this.versionFile(name, version), JSON.stringify(tombstone));
  }

  async listVersions(name: string): Promise<SecretVersionInfo[]> {
    await this.getSecret(name);
    const out: SecretVersionInfo[] = [];
    for (const id of (await this.versionIds(name)).sort((a, b) => a - b)) {
      const version = String(id);
      const file = await this.readVersion(name, version);
      out.push({
        secret: name,
        version,
        state: file.state,
        createdAt: new Date(file.createdAt),
        destroyedAt: file.destroyedAt === null ? null : new Date(file.destroyedAt),
      });
    }
    return out;
  }

  close(): Promise<void> {
    this.closed = true;
    this.dataKey.fill(0);
    return Promise.resolve();
  }

  private get key(): Buffer {
    if (this.closed) throw new OlympusError('VAULT_UNAVAILABLE', 'the local vault is closed');
    return this.dataKey;
  }

  private async setState(name: string, version: string, state: 'enabled' | 'disabled'): Promise<void> {
    const file = await this.readVersion(name, version);
    if (file.state === 'destroyed') throw versionNotEnabled(name, version, 'destroyed');
    if (file.state === state) return;
    await writeFileAtomic(this.versionFile(name, version), JSON.stringify({ ...file, state }));
  }

  private async readVersion(name: string, version: string): Promise<VersionFile> {
    assertSecretName(name);
    assertVersion(version);
    const file = this.versionFile(name, version);
    const text = await readTextOrNull(file);
    if (text === null) {
      await this.getSecret(name);
      throw secretNotFound(name, version);
    }
    return parse(versionFile, text, file);
  }

  private async versionIds(name: string): Promise<number[]> {
    try {
      const entries = await readdir(this.versionsDir(name));
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
  private versionFile(name: string, version: string): string {
    return path.join(this.versionsDir(name), `${version}.json`);
  }
}

function parse<T>(schema: z.ZodType<T>, text: string, file: string): T {
  try {
    return schema.parse(JSON.parse(text));
  } catch (error) {
    throw integrity(`vault file ${file} is damaged`, error);
  }
}
