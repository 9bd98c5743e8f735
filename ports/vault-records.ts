/**
 * Where the local encrypted vault keeps what it seals: secrets (labels), versions (state and ciphertext)
 * and the key check value. Nothing here is ever plaintext: values arrive sealed (AES-256-GCM, see
 * storage/vault/local-cipher.ts) and the master key never reaches a record. Adapters: one file per record
 * under the data directory (storage/vault/file-vault-records.ts, the embedded single-process default) and
 * the shared store's tables or collections (`Store.vaultRecords`: storage/postgres/, storage/mongo/), so
 * every process on one store reads the same vault.
 *
 * Every write that can race is one statement: creating a secret or a version number fails for all but one
 * writer; a state change never revives a destroyed version.
 */
import type { SecretVersionState } from './vault.js';

/** An AES-256-GCM ciphertext with its IV and tag, each base64. */
export interface SealedValue {
  iv: string;
  tag: string;
  ciphertext: string;
}

export interface VaultSecretRecord {
  name: string;
  labels: Record<string, string>;
  createdAt: Date;
}

export interface VaultVersionMeta {
  secret: string;
  /** 1, 2, …: assigned in order by the vault, at most 2,147,483,647. */
  version: number;
  state: SecretVersionState;
  createdAt: Date;
  destroyedAt: Date | null;
}

export interface VaultVersionRecord extends VaultVersionMeta {
  /** The sealed value; null once destroyed. */
  sealed: SealedValue | null;
}

/** The highest version number a vault record may carry (a PostgreSQL `integer`). */
export const MAX_VAULT_VERSION = 2_147_483_647;

export interface VaultRecordRepository {
  /** Stores a new secret; false (nothing written) when the name is taken. */
  createSecret(secret: VaultSecretRecord): Promise<boolean>;
  getSecret(name: string): Promise<VaultSecretRecord | null>;
  /** The highest version number the secret has; 0 when it has none. */
  lastVersion(secret: string): Promise<number>;
  /** Stores a new version; false (nothing written) when its number is taken. */
  insertVersion(version: VaultVersionRecord): Promise<boolean>;
  getVersion(secret: string, version: number): Promise<VaultVersionRecord | null>;
  /** Every version of the secret, oldest first, without sealed values. */
  listVersions(secret: string): Promise<VaultVersionMeta[]>;
  /**
   * Enables or disables a version unless it is destroyed; the version as it is afterwards (a destroyed one
   * unchanged), null when it does not exist.
   */
  setState(secret: string, version: number, state: 'enabled' | 'disabled'): Promise<VaultVersionMeta | null>;
  /**
   * Drops the sealed value and marks the version destroyed (destroying again keeps the first time); the
   * version afterwards, null when it does not exist.
   */
  destroy(secret: string, version: number, at: Date): Promise<VaultVersionMeta | null>;
  /**
   * The key check value: stores `candidate` when none is stored yet (the first process to open the vault)
   * and returns the one stored, which every later opener must be able to unseal.
   */
  keyCheck(candidate: SealedValue): Promise<SealedValue>;
}
