/**
 * Vault port: where secret values live. The database keeps only secret names, version ids and metadata;
 * values go in and out through this interface alone. Adapters: `local-encrypted-vault.ts` (default) and
 * `google-secret-manager-vault.ts`; both pass the same contract suite (test/contract/vault-contract.ts).
 *
 * Rules every adapter keeps:
 * - Reads are pinned: `access` takes an explicit version id; `latest` (or any alias) is refused, so a
 *   rotation never changes what an approved action uses behind its back.
 * - Metadata (`getSecret`, `listVersions`) never carries a value.
 * - Failures are OlympusErrors checked by code: VALIDATION, SECRET_NOT_FOUND, SECRET_EXISTS,
 *   SECRET_DISABLED, SECRET_DESTROYED, VAULT_UNAVAILABLE (retryable when a retry may help),
 *   VAULT_KEY_INVALID, VAULT_INTEGRITY.
 */
import { OlympusError } from '../common/errors.js';

export type SecretVersionState = 'enabled' | 'disabled' | 'destroyed';

/** Labels on a secret; `project` and `purpose` are required. Google Secret Manager's label rules apply. */
export interface SecretLabels {
  readonly project: string;
  readonly purpose: string;
  readonly [key: string]: string;
}

export interface SecretInfo {
  name: string;
  labels: Record<string, string>;
  createdAt: Date;
}

export interface SecretVersionInfo {
  secret: string;
  /** A whole number as text ("1", "2", …), assigned by the vault in order. */
  version: string;
  state: SecretVersionState;
  createdAt: Date;
  destroyedAt: Date | null;
}

export interface Vault {
  /** 'local' or 'google-secret-manager', for logs and `doctor`. */
  readonly kind: string;
  /** Where the values live, without credentials (for logs and `doctor`). */
  readonly description: string;
  /** Creates an empty secret; SECRET_EXISTS when the name is taken. */
  createSecret(name: string, labels: SecretLabels): Promise<SecretInfo>;
  getSecret(name: string): Promise<SecretInfo>;
  /** Stores a new enabled version (text, at most 64 KiB) and returns its version id. */
  addVersion(name: string, value: string): Promise<string>;
  /** The value of one pinned version; SECRET_DISABLED / SECRET_DESTROYED when not enabled. */
  access(name: string, version: string): Promise<string>;
  disableVersion(name: string, version: string): Promise<void>;
  /** Enables a disabled version again; SECRET_DESTROYED for a destroyed one. */
  enableVersion(name: string, version: string): Promise<void>;
  /** Removes the value for good; destroying a destroyed version again is a no-op. */
  destroyVersion(name: string, version: string): Promise<void>;
  /** Every version with its state, oldest first; never a value. */
  listVersions(name: string): Promise<SecretVersionInfo[]>;
  close(): Promise<void>;
}

const SECRET_NAME = /^[a-zA-Z0-9_-]{1,255}$/;
const VERSION_ID = /^[1-9][0-9]{0,17}$/;
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{N}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{N}_-]{0,63}$/u;
const MAX_LABELS = 64;
const MAX_LABEL_BYTES = 128;
export const MAX_VALUE_BYTES = 65536;

function invalid(message: string, details: Record<string, unknown> = {}): OlympusError {
  return new OlympusError('VALIDATION', message, {
    userMessage: 'That secret request is not valid.',
    details,
  });
}

export function assertSecretName(name: string): void {
  if (typeof name !== 'string' || !SECRET_NAME.test(name))
    throw invalid('secret names are 1-255 characters of letters, digits, "_" and "-"', { name });
}

/** A pinned version id; `latest` and other aliases are refused on purpose. */
export function assertVersion(version: string): void {
  if (typeof version === 'string' && version.trim().toLowerCase() === 'latest')
    throw invalid('"latest" is refused: pass the explicit version id the action was approved with');
  if (typeof version !== 'string' || !VERSION_ID.test(version))
    throw invalid('a secret version is a whole number such as "1"', { version });
}

/** Text of at most 64 KiB in UTF-8 (Google Secret Manager's payload limit, kept by every adapter). */
export function assertValue(value: string): void {
  if (typeof value !== 'string') throw invalid('a secret value must be text');
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_VALUE_BYTES) throw invalid(`a secret value is at most ${MAX_VALUE_BYTES} bytes`, { bytes });
}

/** Google Secret Manager's label rules, checked the same way for every adapter. */
export function assertLabels(labels: SecretLabels): void {
  if (typeof labels !== 'object' || labels === null) throw invalid('labels must be an object');
  const entries = Object.entries(labels);
  if (entries.length > MAX_LABELS) throw invalid(`at most ${MAX_LABELS} labels are allowed`);
  for (const required of ['project', 'purpose']) {
    const value = labels[required];
    if (typeof value !== 'string' || value === '') throw invalid(`label "${required}" is required`);
  }
  for (const [key, value] of entries) {
    if (!LABEL_KEY.test(key) || Buffer.byteLength(key) > MAX_LABEL_BYTES)
      throw invalid('label keys start with a lowercase letter; then lowercase letters, digits, "_", "-"', {
        key,
      });
    if (typeof value !== 'string' || !LABEL_VALUE.test(value) || Buffer.byteLength(value) > MAX_LABEL_BYTES)
      throw invalid('label values are up to 63 lowercase letters, digits, "_" and "-"', { key });
  }
}

export function secretNotFound(name: string, version?: string): OlympusError {
  const what = version === undefined ? `secret ${name}` : `version ${version} of secret ${name}`;
  return new OlympusError('SECRET_NOT_FOUND', `${what} does not exist`, {
    userMessage: 'That secret does not exist.',
    details: { secret: name, ...(version === undefined ? {} : { version }) },
  });
}

export function secretExists(name: string): OlympusError {
  return new OlympusError('SECRET_EXISTS', `secret ${name} already exists`, {
    userMessage: 'A secret with that name already exists.',
    details: { secret: name },
  });
}

export function versionNotEnabled(
  name: string,
  version: string,
  state: 'disabled' | 'destroyed',
  cause?: unknown,
): OlympusError {
  return new OlympusError(
    state === 'disabled' ? 'SECRET_DISABLED' : 'SECRET_DESTROYED',
    `version ${version} of secret ${name} is ${state}`,
    {
      userMessage:
        state === 'disabled' ? 'That secret version is disabled.' : 'That secret version was destroyed.',
      details: { secret: name, version },
      cause,
    },
  );
}
