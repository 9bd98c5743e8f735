/**
 * Picks and opens the store the configuration names: the embedded PostgreSQL by default, a PostgreSQL at
 * DATABASE_URL, or a MongoDB at MONGODB_URI. The caller owns the result and must `close()` it.
 */
import type { Logger } from '../common/logging/logger.js';
import type { Store } from '../ports/store.js';

export type StoreSettings =
  | { kind: 'embedded'; dataDir: string; port: number }
  | { kind: 'postgres'; url: string }
  | { kind: 'mongo'; uri: string };

export interface OpenedStore {
  store: Store;
  /** Where the store lives, without credentials (for logs and doctor). */
  description: string;
  /** Closes the store, then stops the embedded database if one was started. */
  close(): Promise<void>;
}

export async function openStore(settings: StoreSettings, logger: Logger): Promise<OpenedStore> {
  if (settings.kind === 'mongo') {
    // Loaded only when used, like every driver: a PostgreSQL install never loads the MongoDB driver.
    const { createMongoStore } = await import('./mongo/mongo-store.js');
    const store = createMongoStore({ uri: settings.uri });
    return { store, description: `MongoDB at ${hostOf(settings.uri)}`, close: () => store.close() };
  }
  const { createPostgresStore } = await import('./postgres/postgres-store.js');
  if (settings.kind === 'postgres') {
    const store = createPostgresStore({ connectionString: settings.url });
    return { store, description: `PostgreSQL at ${hostOf(settings.url)}`, close: () => store.close() };
  }
  const { startEmbeddedPostgres } = await import('./embedded.js');
  const dbLogger = logger.child({ component: 'embedded-postgres' });
  const embedded = await startEmbeddedPostgres({
    dataDir: settings.dataDir,
    ...(settings.port > 0 ? { port: settings.port } : {}),
    logger: (line: string) => dbLogger.debug(line),
  });
  const store = createPostgresStore({ connectionString: embedded.connectionString });
  return {
    store,
    description: `embedded PostgreSQL at ${hostOf(embedded.connectionString)} (data in ${settings.dataDir})`,
    async close() {
      try {
        await store.close();
      } finally {
        await embedded.stop();
      }
    },
  };
}

/** host:port of a connection URL, never its credentials. */
export function hostOf(url: string): string {
  try {
    const parsed = new URL(url);
    return parsed.port ? `${parsed.hostname}:${parsed.port}` : parsed.hostname;
  } catch {
    return 'an unparsable URL';
  }
}
