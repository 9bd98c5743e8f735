/** An embedded PostgreSQL the test can stop and start again (same data, same port) while Olympus runs. */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres, type RunningEmbeddedPostgres } from '../../storage/embedded.js';
import { createPostgresStore } from '../../storage/postgres/postgres-store.js';
import type { EmbeddedStore } from '../support/embedded-store.js';

export interface RestartableStore extends EmbeddedStore {
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
}

export async function startRestartableStore(): Promise<RestartableStore> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'olympus-pg-restart-'));
  chmodSync(dataDir, 0o755);
  let server: RunningEmbeddedPostgres | null = await startEmbeddedPostgres({ dataDir });
  const port = server.port;
  const store = createPostgresStore({ connectionString: server.connectionString });
  await store.init();
  const others: ReturnType<typeof createPostgresStore>[] = [];
  const connectionString = server.connectionString;
  return {
    store,
    connectionString,
    openAnother() {
      const other = createPostgresStore({ connectionString });
      others.push(other);
      return other;
    },
    async stopServer() {
      await server?.stop();
      server = null;
    },
    async startServer() {
      server = await startEmbeddedPostgres({ dataDir, port });
    },
    async teardown() {
      for (const other of others) await other.close();
      await store.close();
      await server?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
