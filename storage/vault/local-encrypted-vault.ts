/**
 * The local encrypted vault: every value sealed with AES-256-GCM under a data key derived from the master
 * key, bound to its secret and version (local-cipher.ts), and a key check value that stops a wrong key at
 * open. Where the sealed records live is the `VaultRecordRepository` it is opened on:
 * - `open()`: files under `<dataDir>/vault/` (file-vault-records.ts), the embedded single-process
 *   default; the master key is OLYMPUS_MASTER_KEY or `<dataDir>/vault/master.key` (generated once).
 * - `openOnStore()`: the shared store's tables or collections (`Store.vaultRecords`), so a bot and any
 *   number of workers on one DATABASE_URL / MONGODB_URI read the same vault. OLYMPUS_MASTER_KEY is required
 *   and never leaves the process; the store only ever holds ciphertexts and the key check value.
 */
import path from 'node:path';
import { OlympusError } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { SecretRedactor } from '../../common/logging/redactor.js';
import { FileVaultRecords } from './file-vault-records.js';
import { deriveDataKey, open, seal, valueContext } from './local-cipher.js';
import { loadMasterKey, parseMasterKey, verifyKey } from './master-key.js';
import {
  MAX_VAULT_VERSION,
  type VaultRecordRepository,
  type VaultVersionRecord,
} from '../../ports/vault-records.js';
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

export interface StoreVaultOptions {
  /** The shared store's vault records (`Store.vaultRecords`). */
  records: VaultRecordRepository;
  /** Where the store lives, without credentials (e.g. "PostgreSQL at db:5432"). */
  storeDescription: string;
  /** OLYMPUS_MASTER_KEY: required, every process sharing the store must hold the same one. */
  masterKey: string | null;
  redactor?: SecretRedactor;
}

const MAX_ADD_ATTEMPTS = 50;

function integrity(message: string, cause?: unknown): OlympusError {
  return new OlympusError('VAULT_INTEGRITY', message, {
    userMessage: 'A stored secret could not be read safely; an operator needs to check the vault.',
    cause,
  });
}

function learnKey(key: Buffer, redactor: SecretRedactor | undefined): void {
  redactor?.add(key.toString('hex'));
  redactor?.add(key.toString('base64'));
}

export class LocalEncryptedVault implements Vault {
  readonly kind = 'local';
  readonly description: string;

  private closed = false;

  private constructor(
    private readonly records: VaultRecordRepository,
    private readonly dataKey: Buffer,
    where: string,
  ) {
    this.description = `local encrypted vault in ${where}`;
  }

  /** Opens (creating if needed) the vault's files and checks the key against the one it was created with. */
  static async open(options: LocalVaultOptions): Promise<LocalEncryptedVault> {
    const dir = path.join(options.dataDir, 'vault');
    const records = await FileVaultRecords.open(dir);
    const master = await loadMasterKey(dir, options.masterKey, options.logger);
    learnKey(master.key, options.redactor);
    const key = deriveDataKey(master.key);
    await verifyKey(records, key, master.source === 'config' ? 'OLYMPUS_MASTER_KEY' : `${master.file}`, dir);
    return new LocalEncryptedVault(records, key, dir);
  }

  /**
   * Opens the vault on a shared store: stores the key check value there on first use, and refuses (at
   * once, VAULT_KEY_INVALID) a master key that is not the one the vault was created with.
   */
  static async openOnStore(options: StoreVaultOptions): Promise<LocalEncryptedVault> {
    if (options.masterKey === null || options.masterKey.trim() === '')
      throw new OlympusError(
        'CONFIG_INVALID',
        `OLYMPUS_MASTER_KEY is required: the vault lives in the shared store (${options.storeDescription}) ` +
          'and every process on it must hold the same key (or set GCP_PROJECT_ID for Google Secret Manager)',
        { userMessage: 'Olympus is misconfigured; an operator must fix its settings.' },
      );
    const master = parseMasterKey(options.masterKey);
    if (!master)
      throw new OlympusError(
        'VAULT_KEY_INVALID',
        'OLYMPUS_MASTER_KEY must be 32 bytes as 64 hex characters or base64',
        {
          userMessage: 'The secret vault cannot be opened; an operator needs to check its key.',
        },
      );
    learnKey(master, options.redactor);
    const key = deriveDataKey(master);
    master.fill(0);
    await verifyKey(options.records, key, 'OLYMPUS_MASTER_KEY', options.storeDescription);
    return new LocalEncryptedVault(options.records, key, options.storeDescription);
  }

  async createSecret(name: string, labels: SecretLabels): Promise<SecretInfo> {
    assertSecretName(name);
    assertLabels(labels);
    const createdAt = new Date();
    if (!(await this.records.createSecret({ name, labels: { ...labels }, createdAt })))
      throw secretExists(name);
    return { name, labels: { ...labels }, createdAt };
  }

  async getSecret(name: string): Promise<SecretInfo> {
    assertSecretName(name);
    const secret = await this.records.getSecret(name);
    if (secret === null) throw secretNotFound(name);
    return { name, labels: secret.labels, createdAt: secret.createdAt };
  }

  async addVersion(name: string, value: string): Promise<string> {
    assertValue(value);
    await this.getSecret(name);
    let next = (await this.records.lastVersion(name)) + 1;
    for (let attempt = 0; attempt < MAX_ADD_ATTEMPTS && next <= MAX_VAULT_VERSION; attempt++) {
      const version = String(next);
      const record: VaultVersionRecord = {
        secret: name,
        version: next,
        state: 'enabled',
        createdAt: new Date(),
        destroyedAt: null,
        sealed: seal(this.key, Buffer.from(value, 'utf8'), valueContext(name, version)),
      };
      if (await this.records.insertVersion(record)) return version;
      // Another writer took that number: try the one after the highest stored now.
      next = Math.max(next, await this.records.lastVersion(name)) + 1;
    }
    throw new OlympusError('VAULT_UNAVAILABLE', `could not claim a version id for secret ${name}`, {
      retryable: true,
    });
  }

  async access(name: string, version: string): Promise<string> {
    const record = await this.readVersion(name, version);
    if (record.state !== 'enabled' || record.sealed === null)
      throw versionNotEnabled(name, version, record.state === 'disabled' ? 'disabled' : 'destroyed');
    const plain = open(this.key, record.sealed, valueContext(name, version));
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
    const number = await this.versionNumber(name, version);
    const after = await this.records.destroy(name, number, new Date());
    if (after === null) throw await this.missing(name, version);
  }

  async listVersions(name: string): Promise<SecretVersionInfo[]> {
    await this.getSecret(name);
    return (await this.records.listVersions(name)).map((record) => ({
      secret: name,
      version: String(record.version),
      state: record.state,
      createdAt: record.createdAt,
      destroyedAt: record.destroyedAt,
    }));
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
    const number = await this.versionNumber(name, version);
    const after = await this.records.setState(name, number, state);
    if (after === null) throw await this.missing(name, version);
    if (after.state === 'destroyed') throw versionNotEnabled(name, version, 'destroyed');
  }

  private async readVersion(name: string, version: string): Promise<VaultVersionRecord> {
    const number = await this.versionNumber(name, version);
    const record = await this.records.getVersion(name, number);
    if (record === null) throw await this.missing(name, version);
    return record;
  }

  /** The version id as a number; ids past any the vault can assign do not exist. */
  private async versionNumber(name: string, version: string): Promise<number> {
    assertSecretName(name);
    assertVersion(version);
    const number = Number(version);
    if (number > MAX_VAULT_VERSION) throw await this.missing(name, version);
    return number;
  }

  /** SECRET_NOT_FOUND for the secret when it does not exist, else for the version. */
  private async missing(name: string, version: string): Promise<Error> {
    await this.getSecret(name);
    return secretNotFound(name, version);
  }
}
