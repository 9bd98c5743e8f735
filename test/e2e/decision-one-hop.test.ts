/**
 * One job hop from a TO's decision to the task waiting on it, on real peers (embedded PostgreSQL, real
 * Agenda jobs, the scripted LLM server behind the real openai client, the real tool loop): an Approve on
 * the checkpoint a parked task waits on enqueues `task.resume` in the same step that stores the decision,
 * and no `checkpoint.decided` job runs for it. Every job the process enqueues goes through one counting
 * JobQueue in front of Agenda, so the jobs between the decision and the resumed task's next model call are
 * counted (and printed):
 * - an agent's own question (`request_checkpoint`);
 * - a `spend` checkpoint at 100% of the budget (the project on hold): `task.resume` ends the pause and
 *   audits the spend, once, before the task continues.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { createLlmRouter } from '../../agents/llm/create-llm-router.js';
import { loadAgentManifests } from '../../agents/specialists/agent-manifest.js';
import { ToolLoopAgent } from '../../agents/specialists/tool-loop-agent.js';
import { Workspaces } from '../../agents/workspace/project-workspace.js';
import { loadConfig } from '../../bot/config/load-config.js';
import { createJobQueue } from '../../bot/wiring/job-queue.js';
import { createLogger, createSilentLogger } from '../../common/logging/logger.js';
import { SecretRedactor } from '../../common/logging/redactor.js';
import { decideCheckpoint } from '../../handlers/checkpoints/decide-checkpoint.js';
import { BudgetDecisions } from '../../orchestration/budget/budget-decisions.js';
import { BudgetGate } from '../../orchestration/budget/budget-gate.js';
import { DEFAULT_BUDGET_SETTINGS } from '../../orchestration/budget/budget-settings.js';
import { currentActionHash } from '../../orchestration/checkpoints/action-hash.js';
import { checkpointGateway } from '../../orchestration/checkpoints/checkpoint-gateway.js';
import { DeferredJobQueue } from '../../orchestration/deferred-job-queue.js';
import { jobCatalogue } from '../../orchestration/jobs/job-catalogue.js';
import { Orchestrator } from '../../orchestration/orchestrator.js';
import { JOB_NAMES, type JobQueue } from '../../ports/job-queue.js';
import type { Checkpoint, Identity, Project, TaskStatus } from '../../ports/store.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import { newActiveProject, newPerson } from '../security/privileged-support.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { startFakeLlmServer, type FakeLlmServer, type ScriptedReply } from '../support/fake-llm-server.js';
import { until } from '../support/until.js';

/** The JobQueue port in front of Agenda, recording every enqueue in order. */
class CountingJobs implements JobQueue {
  readonly enqueued: { name: string; payload: Record<string, unknown> }[] = [];
  constructor(private readonly target: JobQueue) {}

  enqueue(name: string, payload: Record<string, unknown> = {}): Promise<string> {
    this.enqueued.push({ name, payload });
    return this.target.enqueue(name, payload);
  }
}

type Message = { role: string; content?: string | null };
const messagesOf = (body: Record<string, unknown>) => (body.messages ?? []) as Message[];
const projectOf = (body: Record<string, unknown>) =>
  /^Project: "([^"]+)"/.exec(messagesOf(body)[1]?.content ?? '')?.[1] ?? '';
const stepOf = (body: Record<string, unknown>) =>
  messagesOf(body).filter((message) => message.role === 'assistant').length;
const finish: ScriptedReply = {
  toolCalls: [{ name: 'finish', arguments: { summary: 'Done.', artifacts: [] } }],
};

const logger = createSilentLogger();
/** Where the counts are printed. */
const out = createLogger({ level: 'info', format: 'pretty', redactor: new SecretRedactor() });

describe('a decision reaches the waiting task in one job hop', () => {
  let db: EmbeddedStore;
  let llm: FakeLlmServer;
  let scheduler: AgendaJobQueue;
  let counting: CountingJobs;
  let to: Identity;
  /** Projects whose agent asks the TOs a question first. */
  const asking = new Set<string>();
  /** Enqueues seen so far when each project's task first asked the model after its decision. */
  const atResume = new Map<string, { enqueued: number }>();

  beforeAll(async () => {
    db = await startEmbeddedStore();
    llm = await startFakeLlmServer();
    const config = loadConfig({
      env: { OPENAI_API_KEY: 'sk-test', OPENAI_BASE_URL: llm.openaiBaseUrl, OLYMPUS_LLM_MAX_ATTEMPTS: '1' },
      cwd: mkdtempSync(path.join(tmpdir(), 'olympus-one-hop-')),
    });
    const store = db.store;
    const silent = logger;
    const router = createLlmRouter({ config, store, logger: silent });
    const jobs = new DeferredJobQueue();
    const orchestrator = new Orchestrator({
      store,
      jobs,
      router,
      agents: new ToolLoopAgent({
        store,
        checkpoints: checkpointGateway({ store, jobs }),
        router,
        workspaces: new Workspaces(config.dataDir),
        logger: silent,
        spendGate: new BudgetGate({ store, jobs, settings: DEFAULT_BUDGET_SETTINGS }),
        estimateCallCost: () => 0.05,
      }),
      manifests: loadAgentManifests(),
      logger: silent,
      settings: { maxTaskAttempts: 2, taskLeaseMs: 60_000 },
      holder: 'test',
    });
    scheduler = createJobQueue({
      store,
      logger: silent,
      settings: { processEvery: '1 second', maxConcurrency: 10, lockLimit: 10, lockLifetimeMs: 60_000 },
      shutdownTimeoutMs: 5000,
      catalogue: jobCatalogue({
        store,
        logger: silent,
        orchestrator,
        budget: new BudgetDecisions({ store, jobs }),
      }),
      work: true,
    });
    counting = new CountingJobs(scheduler);
    jobs.bind(counting);
    await scheduler.start();
    to = await newPerson(store, 'to', 'Tess');
    // The agents' script. A task's model call after its decision notes how many jobs were enqueued by then:
    // nothing the resumed task does enqueues anything before that call.
    llm.respond((body) => {
      const project = projectOf(body);
      if (asking.has(project) && stepOf(body) === 0) {
        return {
          toolCalls: [
            { name: 'request_checkpoint', arguments: { title: 'Which port?', question: 'Which port?' } },
          ],
        };
      }
      if (!atResume.has(project)) atResume.set(project, { enqueued: counting.enqueued.length });
      return finish;
    });
  }, 120_000);

  afterAll(async () => {
    await scheduler?.stop();
    await llm?.close();
    await db?.teardown();
  });

  const taskStatus = (taskId: string, wanted: TaskStatus) =>
    until(async () => (await db.store.tasks.get(taskId))?.status === wanted);
  const pending = (project: Project, kind: Checkpoint['kind']) =>
    until(async () =>
      (await db.store.checkpoints.list({ projectId: project.id, status: ['pending'] })).find(
        (checkpoint) => checkpoint.kind === kind,
      ),
    );

  async function query<Row extends pg.QueryResultRow>(sql: string, values: unknown[]): Promise<Row[]> {
    const client = new pg.Client({ connectionString: db.connectionString });
    await client.connect();
    try {
      return (await client.query<Row>(sql, values)).rows;
    } finally {
      await client.end();
    }
  }

  /** The Agenda rows of this checkpoint's jobs, by job name. */
  async function agendaJobs(checkpointId: string): Promise<Map<string, number>> {
    const rows = await query<{ name: string; n: number }>(
      `SELECT name, count(*)::int AS n FROM agenda_jobs WHERE data->>'checkpointId' = $1 GROUP BY name`,
      [checkpointId],
    );
    return new Map(rows.map((row) => [row.name, row.n]));
  }

  /**
   * Parked, and its run's job has ended: a decision stored earlier (while the run was still ending) would
   * also be found by the run itself, which then enqueues a `task.resume` of its own.
   */
  async function parked(taskId: string): Promise<void> {
    await taskStatus(taskId, 'waiting_checkpoint');
    await until(async () => {
      const [row] = await query<{ n: number }>(
        `SELECT count(*)::int AS n FROM agenda_jobs WHERE name = $1 AND data->>'taskId' = $2 AND last_finished_at IS NOT NULL`,
        [JOB_NAMES.taskRunApollo, taskId],
      );
      return (row?.n ?? 0) > 0;
    });
  }

  /** A TO's Approve, as a card sends it (with the action hash it shows); then the jobs until the resume. */
  async function approveAndCount(project: Project, checkpoint: Checkpoint): Promise<string[]> {
    const before = counting.enqueued.length;
    const decided = await decideCheckpoint({
      store: db.store,
      jobs: counting,
      checkpointId: checkpoint.id,
      decider: to,
      deciderLabel: 'console:tess',
      outcome: 'approved',
      actionHash: currentActionHash(checkpoint),
    });
    expect(decided.status).toBe('decided');
    const resumed = await until(() => Promise.resolve(atResume.get(project.title)));
    return counting.enqueued.slice(before, resumed.enqueued).map((job) => job.name);
  }

  function report(scenario: string, between: string[]): number {
    const hops = between.filter((name) => name !== JOB_NAMES.checkpointCard);
    out.info(
      `${scenario}: ${hops.length} job${hops.length === 1 ? '' : 's'} between the decision and the resumed task (${hops.join(', ')}); ` +
        `enqueued in all: ${between.join(', ')}`,
    );
    return hops.length;
  }

  test("an agent's question: the Approve enqueues task.resume itself, and the task continues", async () => {
    const { project, tasks } = await newActiveProject(db.store, { budget: 100 });
    const task = tasks[0]!;
    asking.add(project.title);
    await counting.enqueue(JOB_NAMES.taskRunApollo, { taskId: task.id });
    const question = await pending(project, 'question');
    await parked(task.id);

    const between = await approveAndCount(project, question);
    expect(report('question checkpoint', between)).toBe(1);
    expect([...between].sort()).toEqual([JOB_NAMES.checkpointCard, JOB_NAMES.taskResume]);
    await taskStatus(task.id, 'done');
    const resumed = (await db.store.audit.list({ subjectId: task.id })).filter(
      (event) => event.action === 'task.resumed',
    );
    expect(resumed).toHaveLength(1);
    expect(resumed[0]!.data).toMatchObject({ checkpointId: question.id });
    const rows = await agendaJobs(question.id);
    expect(rows.get(JOB_NAMES.taskResume)).toBe(1);
    expect(rows.has(JOB_NAMES.checkpointDecided)).toBe(false);
  });

  test('a spend checkpoint at 100% of the budget: task.resume ends the pause, audits once, continues', async () => {
    const { project, tasks } = await newActiveProject(db.store, { budget: 1 });
    const task = tasks[0]!;
    await db.store.ledger.append({
      kind: 'llm',
      projectId: project.id,
      provider: 'openai',
      model: 'gpt-4o',
      inputTokens: 1000,
      outputTokens: 1000,
      cost: 0.98,
      currency: 'USD',
      latencyMs: 1,
    });
    await counting.enqueue(JOB_NAMES.taskRunApollo, { taskId: task.id });
    const spend = await pending(project, 'spend');
    expect(spend.request.details).toMatchObject({ reason: 'budget_reached', taskId: task.id });
    await parked(task.id);
    await until(async () => (await db.store.projects.get(project.id))?.status === 'on_hold');

    const between = await approveAndCount(project, spend);
    expect(report('budget_reached spend checkpoint', between)).toBe(1);
    expect([...between].sort()).toEqual([JOB_NAMES.checkpointCard, JOB_NAMES.taskResume]);
    await taskStatus(task.id, 'done');
    expect((await db.store.projects.get(project.id))?.status).not.toBe('on_hold');
    const events = await db.store.audit.list({ subjectId: project.id });
    const once = (action: string) =>
      events.filter((event) => event.action === action && event.data.checkpointId === spend.id);
    expect(once('spend.approved')).toHaveLength(1);
    expect(once('project.resumed')).toHaveLength(1);
    const rows = await agendaJobs(spend.id);
    expect(rows.get(JOB_NAMES.taskResume)).toBe(1);
    expect(rows.has(JOB_NAMES.checkpointDecided)).toBe(false);
  });
});
