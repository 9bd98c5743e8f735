/**
 * Split deployments share one vault (issue 16): a real `olympus bot` and two `olympus worker` processes
 * (built dist/) on one PostgreSQL, each with its own data directory (the workers share one, as their
 * workspaces need), all holding the same OLYMPUS_MASTER_KEY. An agent task running on a worker asks for a
 * credential (scripted LLM server, real OpenAI client); a TO provides the value through the bot
 * (`olympus checkpoints decide … --secret-stdin`, the ops API); the resumed task on a worker reads it
 * through its lease and sends it to the approved loopback API as a bearer token. The value is in the
 * store only as ciphertext, in no data directory and in no process output. Then a process with another
 * master key refuses to start, naming the problem on stderr, and one with no key is refused by name.
 * Needs `npx tsc -p tsconfig.json` first.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { createJobQueue } from '../../bot/wiring/job-queue.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { jobCatalogue } from '../../orchestration/jobs/job-catalogue.js';
import type { Checkpoint } from '../../ports/store.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import { findFreePort } from '../../storage/free-port.js';
import { newActiveProject, startRecordingApi } from '../security/privileged-support.js';
import { cleanEnv, runCli, startCli, waitForStatus, type Running } from '../support/cli-process.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { startFakeLlmServer, type FakeLlmServer, type ScriptedReply } from '../support/fake-llm-server.js';
import { until } from '../support/until.js';

const CANARY = 'split-vault-canary-Hq8Zr2Vt6Nw';
const MASTER_KEY = randomBytes(32).toString('hex');
const OTHER_KEY = randomBytes(32).toString('hex');
const TO_EMAIL = 'tina@ops.example.com';

type Message = { role: string; content?: string | null };

/** The agent: ask for the credential, then call the API with the handle it is given, then finish. */
function agentScript(apiUrl: string, apiHost: string) {
  return (body: Record<string, unknown>): ScriptedReply => {
    const tools = ((body.messages ?? []) as Message[]).filter((m) => m.role === 'tool');
    if (tools.length === 0)
      return {
        toolCalls: [
          {
            name: 'request_credential',
            arguments: {
              service: 'Partner',
              name: 'partner_token',
              purpose: 'read the orders from the partner API',
              host: apiHost,
            },
          },
        ],
      };
    const handle = /"handle":\s*"([^"]+)"/.exec(tools.at(-1)?.content ?? '')?.[1];
    if (handle)
      return {
        toolCalls: [
          { name: 'http_request', arguments: { url: `${apiUrl}/orders`, method: 'GET', credential: handle } },
        ],
      };
    return { toolCalls: [{ name: 'finish', arguments: { summary: 'Orders read.', artifacts: [] } }] };
  };
}

describe('split deployment: one vault in the shared store', () => {
  let db: EmbeddedStore;
  let llm: FakeLlmServer;
  let api: Awaited<ReturnType<typeof startRecordingApi>>;
  let enqueuer: AgendaJobQueue;
  let bot: Running;
  const workers: Running[] = [];
  const dirs: string[] = [];
  let botPort = 0;
  let base: Record<string, string> = {};

  const dir = (name: string): string => {
    const made = mkdtempSync(path.join(tmpdir(), `olympus-split-${name}-`));
    chmodSync(made, 0o755);
    dirs.push(made);
    return made;
  };

  beforeAll(async () => {
    db = await startEmbeddedStore();
    llm = await startFakeLlmServer();
    api = await startRecordingApi();
    llm.respond(agentScript(api.url, api.host));
    base = {
      DATABASE_URL: db.connectionString,
      OLYMPUS_MASTER_KEY: MASTER_KEY,
      OPENAI_API_KEY: 'sk-test-split-vault',
      OPENAI_BASE_URL: llm.openaiBaseUrl,
      OLYMPUS_LLM_MAX_ATTEMPTS: '1',
      OLYMPUS_JOBS_PROCESS_EVERY: '1 second',
      OLYMPUS_LOG_LEVEL: 'debug',
    };
    botPort = await findFreePort();
    const botDir = dir('bot');
    bot = startCli(['bot'], {
      cwd: botDir,
      env: cleanEnv({ ...base, OLYMPUS_HTTP_PORT: String(botPort), OLYMPUS_DATA_DIR: botDir }),
    });
    const workerDir = dir('workers');
    for (let i = 0; i < 2; i++) {
      const port = await findFreePort();
      const worker = startCli(['worker'], {
        cwd: workerDir,
        env: cleanEnv({ ...base, OLYMPUS_WORKER_HTTP_PORT: String(port), OLYMPUS_DATA_DIR: workerDir }),
      });
      workers.push(worker);
      await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 60_000, worker);
    }
    await waitForStatus(`http://127.0.0.1:${botPort}/readyz`, 200, 60_000, bot);
    enqueuer = createJobQueue({
      store: db.store,
      logger: createSilentLogger(),
      settings: { processEvery: '1 second', maxConcurrency: 1, lockLimit: 1, lockLifetimeMs: 60_000 },
      shutdownTimeoutMs: 1000,
      catalogue: jobCatalogue({ store: db.store, logger: createSilentLogger() }),
      work: false,
    });
    await enqueuer.start();
    await db.store.identities.create({
      displayName: 'Tina',
      role: 'to',
      handles: [{ surface: 'email', externalId: TO_EMAIL }],
    });
  }, 180_000);

  afterAll(async () => {
    for (const running of [bot, ...workers]) {
      if (running && running.child.exitCode === null) {
        running.child.kill('SIGTERM');
        await running.exited;
      }
    }
    await enqueuer?.stop();
    await api?.close();
    await llm?.close();
    await db?.teardown();
    for (const made of dirs) rmSync(made, { recursive: true, force: true });
  });

  async function everyDatabaseRow(): Promise<{ table: string; row: string }[]> {
    const client = new pg.Client({ connectionString: db.connectionString });
    await client.connect();
    try {
      const tables = await client.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
      );
      const rows: { table: string; row: string }[] = [];
      for (const { table_name: table } of tables.rows) {
        const result = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${table}" t`);
        for (const { row } of result.rows) rows.push({ table, row });
      }
      return rows;
    } finally {
      await client.end();
    }
  }

  test('the bot stores the credential a TO provides; the task on a worker reads it through its lease', async () => {
    const store = db.store;
    const { project, tasks } = await newActiveProject(store);
    const task = tasks[0]!;
    await enqueuer.enqueue('task.run.apollo', { taskId: task.id });
    const checkpoint: Checkpoint = await until(
      async () =>
        (await store.checkpoints.list({ projectId: project.id, status: ['pending'] })).find(
          (c) => c.kind === 'credential',
        ),
      60_000,
    );
    await until(async () => (await store.tasks.get(task.id))?.status === 'waiting_checkpoint', 30_000);

    // The TO answers through the bot's ops API, the value piped in on stdin.
    const decided = await runCli(
      ['checkpoints', 'decide', checkpoint.id, 'approve', '--as', TO_EMAIL, '--secret-stdin'],
      { env: cleanEnv({ ...base, OLYMPUS_HTTP_PORT: String(botPort) }), input: `${CANARY}\n` },
    );
    expect(decided.stdout).toContain('The credential is stored in the vault and the checkpoint approved.');
    expect(decided.code).toBe(0);

    // A worker resumes the task; its http_request reads the value from the shared vault via the lease.
    await until(async () => (await store.tasks.get(task.id))?.status === 'done', 60_000);
    const lease = (await store.secretLeases.getByCheckpoint(checkpoint.id, task.id))!;
    expect(lease).toMatchObject({ taskId: task.id, tool: 'http_request' });
    expect(api.calls).toHaveLength(1);
    expect(api.calls[0]!.authorization).toBe(`Bearer ${CANARY}`);
    const accessed = (await store.audit.list({ subjectId: task.id })).filter(
      (e) => e.action === 'secret.accessed',
    );
    expect(accessed).toHaveLength(1);
    expect(accessed[0]!.data).toMatchObject({ leaseId: lease.id, credential: 'partner_token' });

    // Which processes ran the task's jobs (their "job finished" lines come just after the task is done):
    // workers only, a bot runs no jobs.
    const ran = (output: string, job: string) => output.includes(`"job":"${job}"`);
    const ranOn = await until(() => {
      const lines = workers.flatMap((worker, i) =>
        ['task.run.apollo', 'task.resume']
          .filter((job) => ran(worker.output(), job))
          .map((job) => `${job} on worker ${i + 1}`),
      );
      const both = ['task.run.apollo', 'task.resume'].every((job) => lines.some((l) => l.startsWith(job)));
      return Promise.resolve(both ? lines : null);
    }, 10_000);
    expect(ran(bot.output(), 'task.run.apollo') || ran(bot.output(), 'task.resume')).toBe(false);

    // The store holds the version as ciphertext only; no process keeps vault files of its own.
    const rows = await everyDatabaseRow();
    expect(rows.filter(({ row }) => row.includes(CANARY))).toEqual([]);
    expect(
      rows.some(({ table, row }) => table === 'vault_secret_versions' && row.includes(lease.secretName)),
    ).toBe(true);
    expect(rows.filter(({ table }) => table === 'vault_key_check')).toHaveLength(1);
    for (const made of dirs) expect(existsSync(path.join(made, 'vault'))).toBe(false);

    // In no output of any process, nor the master key.
    for (const text of [bot.output(), ...workers.map((w) => w.output()), decided.stdout, decided.stderr]) {
      expect(text).not.toContain(CANARY);
      expect(text).not.toContain(MASTER_KEY);
    }
    expect(bot.output()).toContain('local encrypted vault in PostgreSQL at');
    process.stdout.write(
      `split vault: provided through the bot; ${ranOn.join(', ')}; ${rows.length} database rows, 0 leaks\n`,
    );
  });

  test('a process with another master key refuses to start and says why on stderr', async () => {
    const workerDir = dir('wrong-key');
    const wrong = await runCli(['worker'], {
      cwd: workerDir,
      env: cleanEnv({ ...base, OLYMPUS_MASTER_KEY: OTHER_KEY, OLYMPUS_DATA_DIR: workerDir }),
      timeoutMs: 60_000,
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('wrong vault master key: the key from OLYMPUS_MASTER_KEY is not the one');
    expect(wrong.stderr).toContain('PostgreSQL at 127.0.0.1:');
    for (const text of [wrong.stdout, wrong.stderr]) {
      expect(text).not.toContain(OTHER_KEY);
      expect(text).not.toContain(MASTER_KEY);
    }

    // No key at all: refused before anything opens, naming the variable.
    const missing = await runCli(['bot'], {
      cwd: workerDir,
      env: cleanEnv({ ...base, OLYMPUS_MASTER_KEY: '', OLYMPUS_DATA_DIR: workerDir }),
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('OLYMPUS_MASTER_KEY: required with DATABASE_URL');
    expect(existsSync(path.join(workerDir, 'vault'))).toBe(false);

    // The running processes were not disturbed: the shared vault still opens with the right key.
    expect(bot.child.exitCode).toBeNull();
    expect(workers.every((worker) => worker.child.exitCode === null)).toBe(true);
  });
});
