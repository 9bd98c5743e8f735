/**
 * The storage contract on PostgreSQL (an embedded server of its own, and DATABASE_URL when set), plus what
 * only PostgreSQL has: the append-only audit table, concurrent migrations, connection failures, Agenda's
 * schema, and the embedded server's own lifecycle.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Agenda } from 'agenda';
import pg from 'pg';
import { hasCode } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import { agendaBackend } from '../../storage/agenda/agenda-backend.js';
import { startEmbeddedPostgres, type RunningEmbeddedPostgres } from '../../storage/embedded.js';
import { findFreePort } from '../../storage/free-port.js';
import type { Store } from '../../ports/store.js';
import { Database, prepared } from '../../storage/postgres/database.js';
import { migrations } from '../../storage/postgres/migrations.js';
import { createPostgresStore } from '../../storage/postgres/postgres-store.js';
import { toStoreLog } from '../../storage/postgres/store-log.js';
import { describeStorageContract } from './storage-contract.js';

let embedded: RunningEmbeddedPostgres | undefined;
let dataDir = '';

function server(): RunningEmbeddedPostgres {
  if (!embedded) throw new Error('embedded PostgreSQL did not start');
  return embedded;
}

function withDatabase(connectionString: string, database: string): string {
  const url = new URL(connectionString);
  url.pathname = `/${database}`;
  return url.toString();
}

async function withClient<T>(connectionString: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** A new empty database on the embedded server; its superuser connection string. */
async function freshDatabase(): Promise<string> {
  const name = `t_${newId().replaceAll('-', '').slice(0, 16)}`;
  await withClient(server().connectionString, (client) => client.query(`CREATE DATABASE ${name}`));
  return withDatabase(server().connectionString, name);
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'olympus-pg-contract-'));
  embedded = await startEmbeddedPostgres({ dataDir });
});

afterAll(async () => {
  await embedded?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describeStorageContract('postgres store (embedded PostgreSQL)', async () => {
  const store = createPostgresStore({ connectionString: await freshDatabase(), poolMax: 25 });
  return { store, teardown: () => store.close() };
});

const databaseUrl = process.env.DATABASE_URL;
if (databaseUrl) {
  // A throwaway schema on the given server, dropped afterwards: nothing else in that database is touched.
  describeStorageContract('postgres store (DATABASE_URL)', async () => {
    const schema = `olympus_contract_${newId().replaceAll('-', '').slice(0, 12)}`;
    await withClient(databaseUrl, (client) => client.query(`CREATE SCHEMA ${schema}`));
    const url = new URL(databaseUrl);
    url.searchParams.set('options', `-c search_path=${schema}`);
    const store = createPostgresStore({ connectionString: url.toString(), poolMax: 25 });
    return {
      store,
      async teardown() {
        await store.close();
        await withClient(databaseUrl, (client) => client.query(`DROP SCHEMA ${schema} CASCADE`));
      },
    };
  });
}

describe('postgres store specifics', () => {
  const opened: Store[] = [];
  const open = (connectionString: string): Store => {
    const store = createPostgresStore({ connectionString });
    opened.push(store);
    return store;
  };
  afterAll(async () => {
    await Promise.all(opened.map((store) => store.close()));
  });

  test('audit_events is append-only, and a row edited behind its back fails verify()', async () => {
    const connectionString = await freshDatabase();
    const store = open(connectionString);
    await store.init();
    for (let i = 1; i <= 5; i += 1) {
      await store.audit.append({
        actor: 'to',
        action: 'test',
        subjectType: 'x',
        subjectId: 'y',
        data: { i },
      });
    }
    expect(await store.audit.verify()).toEqual({ ok: true, count: 5 });
    await withClient(connectionString, async (client) => {
      await expect(client.query(`UPDATE audit_events SET actor = 'mallory' WHERE seq = 3`)).rejects.toThrow(
        /append-only/,
      );
      await expect(client.query('DELETE FROM audit_events WHERE seq = 5')).rejects.toThrow(/append-only/);
      await expect(client.query('TRUNCATE audit_events')).rejects.toThrow(/append-only/);
      await client.query('ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only');
      await client.query(`UPDATE audit_events SET data = '{"i": 33}' WHERE seq = 3`);
      await client.query('ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only');
    });
    const verdict = await store.audit.verify();
    expect(verdict).toMatchObject({ ok: false, brokenAt: 3, count: 2 });
  });

  test('init() from 5 stores at once on a fresh database migrates once, without errors', async () => {
    const connectionString = await freshDatabase();
    const stores = Array.from({ length: 5 }, () => open(connectionString));
    await Promise.all(stores.map((store) => store.init()));
    await withClient(connectionString, async (client) => {
      const applied = await client.query<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(applied.rows.map((row) => row.version)).toEqual(migrations.map((m) => m.version));
      const tables = await client.query<{ jobs: string | null; logs: string | null }>(
        `SELECT to_regclass('agenda_jobs')::text AS jobs, to_regclass('agenda_logs')::text AS logs`,
      );
      expect(tables.rows[0]).toEqual({ jobs: 'agenda_jobs', logs: 'agenda_logs' });
    });
  });

  test('a prepared statement is parsed once per connection and run by name; a name has one text', async () => {
    const db = new Database({
      connectionString: await freshDatabase(),
      poolMax: 1,
      log: toStoreLog(undefined),
    });
    try {
      const twice = prepared('contract_twice', 'SELECT $1::int * 2 AS n');
      expect(await db.one<{ n: number }>(twice, [21])).toEqual({ n: 42 });
      expect(await db.one<{ n: number }>(twice, [5])).toEqual({ n: 10 });
      // One connection in the pool: the statement is there under its name, once.
      const names = await db.rows<{ name: string }>('SELECT name FROM pg_prepared_statements');
      expect(names.map((row) => row.name)).toEqual(['contract_twice']);
      expect(prepared('contract_twice', 'SELECT $1::int * 2 AS n')).toEqual(twice);
      expect(() => prepared('contract_twice', 'SELECT 1')).toThrow(/already declared with another text/);
    } finally {
      await db.close();
    }
  });

  test("the inbox's prepared statements keep working when a migration adds a column under them", async () => {
    const connectionString = await freshDatabase();
    const store = createPostgresStore({ connectionString, inboxPoolMax: 1 });
    opened.push(store);
    await store.init();
    const arrival = (key: string) => ({ key, surface: 'slack' as const, payload: { key } });
    expect((await store.inbox.recordMany([arrival('k1')]))[0]).toMatchObject({ inserted: true });
    expect(await store.inbox.completeMany(['k1'])).toBe(1);
    await withClient(connectionString, (client) => client.query('ALTER TABLE inbox ADD COLUMN later text'));
    const again = await store.inbox.recordMany([arrival('k2'), arrival('k1')]);
    expect(again.map((result) => result.inserted)).toEqual([true, false]);
    expect(await store.inbox.completeMany(['k2'])).toBe(1);
    expect((await store.inbox.get('k2'))?.status).toBe('done');
  });

  test('a closed port gives STORE_UNAVAILABLE naming host and port, never the password', async () => {
    const port = await findFreePort();
    const store = open(`postgres://olympus:very-secret-pw@127.0.0.1:${port}/olympus`);
    for (const call of [() => store.ping(), () => store.projects.get(newId()), () => store.init()]) {
      const error = await call().then(
        () => null,
        (caught: unknown) => caught,
      );
      expect(hasCode(error, 'STORE_UNAVAILABLE')).toBe(true);
      expect(error).toMatchObject({ retryable: true });
      const message = (error as Error).message;
      expect(message).toContain(`127.0.0.1:${port}`);
      expect(message).not.toContain('very-secret-pw');
    }
  });

  test('connections killed by the server do not crash the process; the pool reconnects', async () => {
    const connectionString = await freshDatabase();
    const store = open(connectionString);
    await store.init();
    await Promise.all([store.ping(), store.ping(), store.projects.get(newId())]);
    const database = new URL(connectionString).pathname.slice(1);
    await withClient(server().connectionString, (client) =>
      client.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
        [database],
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    await expect(store.ping()).resolves.toBeUndefined();
    expect(await store.projects.get(newId())).toBeNull();
    await store.close();
    await store.close(); // close is idempotent
    const closed = await store.ping().then(
      () => null,
      (caught: unknown) => caught,
    );
    expect(hasCode(closed, 'STORE_UNAVAILABLE')).toBe(true);
  });

  test("Agenda runs a job on the store's connection with the schema init() made", async () => {
    const store = open(await freshDatabase());
    await store.init();
    const agenda = new Agenda({ backend: await agendaBackend(store.connection()), processEvery: 200 });
    const ran = new Promise<unknown>((resolve) => {
      // A short lockLifetime: Agenda 6.2.6 leaves a lockLifetime/2 timer behind each run (5 min by default),
      // which would keep Jest from exiting.
      agenda.define(
        'contract.ping',
        (job) => {
          resolve(job.attrs.data);
          return Promise.resolve();
        },
        { lockLifetime: 400 },
      );
    });
    await agenda.start();
    try {
      await agenda.now('contract.ping', { hello: 'world' });
      expect(await ran).toEqual({ hello: 'world' });
    } finally {
      await agenda.stop();
    }
    await expect(store.ping()).resolves.toBeUndefined(); // Agenda's stop left the shared pool open
  });
});

describe('embedded PostgreSQL', () => {
  test('a second start reuses the cluster; a stale postmaster.pid is removed; a live one is refused', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'olympus-pg-embedded-'));
    const lines: string[] = [];
    try {
      const coldStart = performance.now();
      const first = await startEmbeddedPostgres({ dataDir: dir, logger: (line) => lines.push(line) });
      const coldMs = performance.now() - coldStart;
      expect(first.connectionString).toMatch(/^postgres:\/\/postgres:[0-9a-f]+@127\.0\.0\.1:\d+\/olympus$/);
      await expect(startEmbeddedPostgres({ dataDir: dir })).rejects.toThrow(/in use by a running server/);
      const store = createPostgresStore({ connectionString: first.connectionString });
      await store.init();
      const { project } = await store.projects.create({
        key: 'kept',
        title: 'Kept across restarts',
        ownerId: newId(),
        brief: {},
        createdBy: 'test',
      });
      await store.close();
      await first.stop();
      await first.stop(); // stop is idempotent

      // A crashed run leaves postmaster.pid behind; its pid may now belong to an unrelated live process.
      await writeFile(
        path.join(dir, 'postgres', 'postmaster.pid'),
        `${process.pid}\n${dir}/postgres\n0\n5432\n\n`,
      );
      const warmStart = performance.now();
      const second = await startEmbeddedPostgres({ dataDir: dir, logger: (line) => lines.push(line) });
      const warmMs = performance.now() - warmStart;
      try {
        const again = createPostgresStore({ connectionString: second.connectionString });
        await again.init();
        expect((await again.projects.getByKey('kept'))?.id).toBe(project.id);
        await again.close();
      } finally {
        await second.stop();
      }
      expect(lines.some((line) => line.includes('removing stale'))).toBe(true);

      // A fixed port that is taken: a clear error carrying the server's own words, and no hang.
      const blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      const takenPort = (blocker.address() as AddressInfo).port;
      try {
        await expect(startEmbeddedPostgres({ dataDir: dir, port: takenPort })).rejects.toThrow(
          new RegExp(`did not start on 127\\.0\\.0\\.1:${takenPort}.*(could not bind|already in use)`),
        );
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
      process.stderr.write(
        `embedded PostgreSQL start: first (initdb) ${coldMs.toFixed(0)} ms, reuse ${warmMs.toFixed(0)} ms\n`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
