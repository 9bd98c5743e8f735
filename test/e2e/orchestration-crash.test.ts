/**
 * Crash safety of the specialists' loop: a real `olympus worker` process runs a project's tasks against
 * the scripted LLM server and is killed with SIGKILL at random points mid-task, 10 times, then restarted
 * each time. Its task leases and job locks are short, so a restarted worker takes the work over once they
 * lapse and continues every task from its last stored step. At the end every task is done exactly once:
 * one workspace commit per step trailer, one ledger entry per step key, one `task.done` audit event.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Workspaces } from '../../agents/workspace/project-workspace.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { newId } from '../../common/ids.js';
import { jobCatalogue } from '../../orchestration/jobs/job-catalogue.js';
import { taskRunJob } from '../../ports/job-queue.js';
import { createJobQueue } from '../../bot/wiring/job-queue.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import type { NewTask, Project } from '../../ports/store.js';
import { TEST_MASTER_KEY, cleanEnv, startCli, type Running } from '../support/cli-process.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { startFakeLlmServer, type FakeLlmServer, type ScriptedReply } from '../support/fake-llm-server.js';
import { until } from '../support/until.js';

const KILLS = 10;
/** Files each task writes, one per step; the step after the last one calls finish. */
const FILES_PER_TASK = 3;
const LEASE_MS = 3000;

type Message = { role: string; content?: string | null };
const messagesOf = (body: Record<string, unknown>) => (body.messages ?? []) as Message[];

/** The same reply for the same conversation, so a step replayed after a crash is asked the same. */
function agentScript(body: Record<string, unknown>): ScriptedReply {
  const messages = messagesOf(body);
  const key = /"key": "([a-z0-9-]+)"/.exec(messages[1]?.content ?? '')?.[1] ?? 'unknown';
  const step = messages.filter((m) => m.role === 'assistant').length;
  const delayMs = 120;
  if (step < FILES_PER_TASK)
    return {
      delayMs,
      toolCalls: [
        {
          name: 'write_file',
          arguments: { path: `${key}/part-${step}.txt`, content: `${key} part ${step}\n` },
        },
        { name: 'list_files', arguments: { path: key } },
      ],
    };
  return {
    delayMs,
    toolCalls: [
      { name: 'finish', arguments: { summary: `${key} done`, artifacts: [{ kind: 'dir', ref: key }] } },
    ],
  };
}

describe('crash safety', () => {
  let db: EmbeddedStore;
  let llm: FakeLlmServer;
  let enqueuer: AgendaJobQueue;
  let dataDir: string;
  let worker: Running | null = null;

  beforeAll(async () => {
    db = await startEmbeddedStore();
    llm = await startFakeLlmServer();
    llm.respond(agentScript);
    dataDir = mkdtempSync(path.join(tmpdir(), 'olympus-crash-'));
    enqueuer = createJobQueue({
      store: db.store,
      logger: createSilentLogger(),
      settings: { processEvery: '1 second', maxConcurrency: 1, lockLimit: 1, lockLifetimeMs: LEASE_MS },
      shutdownTimeoutMs: 1000,
      catalogue: jobCatalogue({ store: db.store, logger: createSilentLogger() }),
      work: false,
    });
    await enqueuer.start();
  }, 120_000);

  afterAll(async () => {
    if (worker && worker.child.exitCode === null) {
      worker.child.kill('SIGKILL');
      await worker.exited;
    }
    await enqueuer?.stop();
    await llm?.close();
    await db?.teardown();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  function startWorker(): Running {
    return startCli(['worker'], {
      cwd: dataDir,
      env: cleanEnv({
        DATABASE_URL: db.connectionString,
        OLYMPUS_MASTER_KEY: TEST_MASTER_KEY,
        OPENAI_API_KEY: 'sk-test',
        OPENAI_BASE_URL: llm.openaiBaseUrl,
        OLYMPUS_LLM_MAX_ATTEMPTS: '1',
        OLYMPUS_DATA_DIR: dataDir,
        OLYMPUS_JOBS_LOCK_LIFETIME_MS: String(LEASE_MS),
        OLYMPUS_JOBS_PROCESS_EVERY: '1 second',
        OLYMPUS_LOG_LEVEL: 'warn',
      }),
    });
  }

  async function activeProject(): Promise<{ project: Project; keys: string[] }> {
    const owner = await db.store.identities.create({ displayName: 'Crash client' });
    const { project } = await db.store.projects.create({
      key: `crash-${newId().slice(0, 8)}`,
      title: 'Crash Shop',
      ownerId: owner.id,
      brief: { title: 'Crash Shop' },
      createdBy: 'test',
    });
    const active = await db.store.projects.setStatus(project.id, [project.status], 'active');
    expect(active?.status).toBe('active');
    const plan: NewTask[] = [
      { key: 'api', role: 'apollo', title: 'API', spec: 'Build the API.', status: 'ready' },
      { key: 'db', role: 'apollo', title: 'Schema', spec: 'Design the schema.', status: 'ready' },
      { key: 'ui', role: 'aphrodite', title: 'UI', spec: 'Build the UI.', dependsOn: ['api'] },
      { key: 'qa', role: 'athena', title: 'QA', spec: 'Test it all.', dependsOn: ['api', 'db', 'ui'] },
      { key: 'deploy', role: 'hephaestus', title: 'Deploy', spec: 'Ship it.', dependsOn: ['qa'] },
    ].map((task) => ({ ...task, acceptance: [`${task.key} works`] }) as NewTask);
    const tasks = await db.store.tasks.createMany(project.id, plan);
    for (const task of tasks.filter((t) => t.status === 'ready'))
      await enqueuer.enqueue(taskRunJob(task.role), { taskId: task.id });
    return { project: active!, keys: tasks.map((t) => t.key) };
  }

  test(`SIGKILL of the worker at ${KILLS} random points: every task finishes exactly once`, async () => {
    const { project } = await activeProject();
    const completed = async () => (await db.store.projects.get(project.id))?.status === 'completed';
    let kills = 0;
    while (kills < KILLS) {
      worker = startWorker();
      const seen = llm.chatRequests().length;
      // Wait until this worker is mid-task (it asked the model something), then kill it at a random moment.
      await until(async () => llm.chatRequests().length > seen || (await completed()), 90_000, 50).catch(
        (error: unknown) => {
          throw new Error(`worker made no progress:\n${worker?.output() ?? ''}`, { cause: error });
        },
      );
      if (await completed()) break;
      await new Promise((resolve) => setTimeout(resolve, Math.floor(Math.random() * 600)));
      worker.child.kill('SIGKILL');
      await worker.exited;
      kills += 1;
    }
    expect(kills).toBe(KILLS);

    worker = startWorker();
    await until(completed, 240_000, 200);
    worker.child.kill('SIGTERM');
    await worker.exited;

    const tasks = await db.store.tasks.listByProject(project.id);
    expect(tasks.map((t) => t.status)).toEqual(tasks.map(() => 'done'));

    // One commit per step trailer, and one per step that wrote a file.
    const log = await new Workspaces(dataDir).forProject(project).log();
    const trailers = log.flatMap((commit) => /Olympus-Step: (\S+\/\d+)/.exec(commit.message)?.[1] ?? []);
    const perTrailer = new Map<string, number>();
    for (const trailer of trailers) perTrailer.set(trailer, (perTrailer.get(trailer) ?? 0) + 1);
    expect([...perTrailer.values()].every((count) => count === 1)).toBe(true);
    expect(trailers.sort()).toEqual(
      tasks.flatMap((t) => Array.from({ length: FILES_PER_TASK }, (_, step) => `${t.id}/${step}`)).sort(),
    );

    // One ledger entry per step key: FILES_PER_TASK writing steps and the finishing one, per task.
    const ledger = await db.store.ledger.list({ projectId: project.id });
    const keys = ledger.map((entry) => entry.effectKey ?? 'none');
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.sort()).toEqual(
      tasks
        .flatMap((t) => Array.from({ length: FILES_PER_TASK + 1 }, (_, step) => `llm:${t.id}:${step}`))
        .sort(),
    );

    // `task.done` once per task in the audit log.
    const events = await db.store.audit.list();
    const done = events.filter((e) => e.action === 'task.done' && e.data.projectId === project.id);
    expect(done.map((e) => e.subjectId).sort()).toEqual(tasks.map((t) => t.id).sort());
    const completions = events.filter((e) => e.action === 'project.completed' && e.subjectId === project.id);
    expect(completions).toHaveLength(1);

    const claims = events.filter(
      (e) => e.action === 'task.started' && e.data.projectId === project.id,
    ).length;
    process.stdout.write(
      `crash safety: ${kills} kills, ${tasks.length} tasks done once, ${claims} claims, ` +
        `${llm.chatRequests().length} model requests for ${ledger.length} ledger entries (one per step key), ` +
        `${trailers.length} step commits (one per trailer)\n`,
    );
  }, 600_000);
});
