/** Tracing, the store (instrumented, roles applied), the vault and the metrics registry. */
import type { Store } from '../../ports/store.js';
import type { Vault } from '../../ports/vault.js';
import { openStore } from '../../storage/open-store.js';
import { openVault } from '../../storage/vault/open-vault.js';
import { applyRoleMap } from '../../handlers/access/role-map.js';
import { instrumentStore } from '../metrics/instrumented-store.js';
import { createMetrics, type Metrics } from '../metrics/metrics.js';
import { OLYMPUS_VERSION } from '../version.js';
import type { Wiring } from './lifecycle.js';

export interface Core {
  store: Store;
  vault: Vault;
  metrics: Metrics;
}

export async function wireTracing({ config, mode, logger, onStop }: Wiring): Promise<void> {
  if (!config.tracing) return;
  const { startTracing } = await import('../tracing/otel-setup.js');
  const tracing = startTracing(
    { ...config.tracing, serviceVersion: OLYMPUS_VERSION, attributes: { 'olympus.mode': mode } },
    logger,
  );
  onStop(() => tracing.shutdown());
}

export async function wireCore(wiring: Wiring): Promise<Core> {
  const { config, logger, redactor, onStop } = wiring;
  logger.info('opening store', { kind: config.store.kind });
  const opened = await openStore(config.store, logger);
  onStop(() => opened.close());
  await opened.store.init();
  const metrics = createMetrics();
  // Checkpoint and LLM metrics are counted where those facts are stored.
  const store = instrumentStore(opened.store, metrics);
  await applyRoleMap(store, config.access);
  logger.info('store ready', { store: opened.description });
  // On a shared store (DATABASE_URL, MONGODB_URI) the local vault keeps its ciphertexts there, so a bot
  // and its workers read one vault; the embedded default keeps them in files under the data directory.
  const sharedStore =
    config.store.kind === 'embedded'
      ? null
      : { records: opened.store.vaultRecords, description: opened.description };
  const vault = await openVault(
    { dataDir: config.dataDir, ...config.vault, sharedStore },
    { logger, redactor },
  );
  onStop(() => vault.close());
  return { store, vault, metrics };
}
