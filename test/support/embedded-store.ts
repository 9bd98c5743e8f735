/** A real PostgreSQL for one test file: embedded, on its own free port, in a temporary data directory. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../../storage/embedded.js';
import type { Store } from '../../ports/store.js';
import { createPostgresStore } from '../../storage/postgres/postgres-store.js';

export interface EmbeddedStore {
  store: Store;
  connectionString: string;
  /** Another store on the same database, as a second process would have. */
  openAnother(): Store;
  teardown(): Promise<void>;
}

export async function startEmbeddedStore(): Promise<EmbeddedStore> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'olympus-pg-'));
  const embedded = await startEmbeddedPostgres({ dataDir });
  const others: Store[] = [];
  const store = createPostgresStore({ connectionString: embedded.connectionString });
  await store.init();
  return {
    store,
    connectionString: embedded.connectionString,
    openAnother() {
      const other = createPostgresStore({ connectionString: embedded.connectionString });
      others.push(other);
      return other;
    },
    async teardown() {
      for (const other of others) await other.close();
      await store.close();
      await embedded.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
