/**
 * Picks and opens the vault the configuration names: Google Secret Manager when GCP_PROJECT_ID is set;
 * else the local encrypted vault, its sealed records in the shared store when there is one (DATABASE_URL
 * or MONGODB_URI: every process on it shares one vault, OLYMPUS_MASTER_KEY required), in files under the
 * data directory otherwise (the embedded single-process default). The result registers every value it
 * writes or reads with the redactor. The caller owns it and must `close()` it.
 */
import type { Logger } from '../../common/logging/logger.js';
import type { SecretRedactor } from '../../common/logging/redactor.js';
import type { SecretManagerClientOptions } from './google-secret-manager-vault.js';
import { RedactingVault } from './redacting-vault.js';
import type { Vault } from '../../ports/vault.js';
import type { VaultRecordRepository } from '../../ports/vault-records.js';

export interface VaultSettings {
  dataDir: string;
  /** `config.vault.masterKey` (OLYMPUS_MASTER_KEY). */
  masterKey: string | null;
  /** `config.vault.gcpProjectId` (GCP_PROJECT_ID). */
  gcpProjectId: string | null;
  /**
   * The shared store the local vault keeps its sealed records in; absent for the embedded default, whose
   * vault stays in files under `dataDir`.
   */
  sharedStore?: { records: VaultRecordRepository; description: string } | null;
}

export interface VaultDependencies {
  logger: Logger;
  redactor: SecretRedactor;
  /** Passed to the Secret Manager client (tests point it at a local server). */
  googleClientOptions?: SecretManagerClientOptions;
}

export async function openVault(settings: VaultSettings, deps: VaultDependencies): Promise<Vault> {
  const logger = deps.logger.child({ component: 'vault' });
  if (settings.masterKey) deps.redactor.add(settings.masterKey);
  let vault: Vault;
  if (settings.gcpProjectId) {
    // Loaded only when used: the gRPC stack costs memory and start-up time a local install never needs.
    const { GoogleSecretManagerVault } = await import('./google-secret-manager-vault.js');
    vault = new GoogleSecretManagerVault({
      projectId: settings.gcpProjectId,
      ...(deps.googleClientOptions ? { clientOptions: deps.googleClientOptions } : {}),
    });
  } else if (settings.sharedStore) {
    const { LocalEncryptedVault } = await import('./local-encrypted-vault.js');
    vault = await LocalEncryptedVault.openOnStore({
      records: settings.sharedStore.records,
      storeDescription: settings.sharedStore.description,
      masterKey: settings.masterKey,
      redactor: deps.redactor,
    });
  } else {
    const { LocalEncryptedVault } = await import('./local-encrypted-vault.js');
    vault = await LocalEncryptedVault.open({
      dataDir: settings.dataDir,
      masterKey: settings.masterKey,
      logger,
      redactor: deps.redactor,
    });
  }
  logger.info(`vault: ${vault.description}`);
  return new RedactingVault(vault, deps.redactor);
}
