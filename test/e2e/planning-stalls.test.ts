/**
 * Planning that cannot succeed ends in a visible state within its model-call cap, never in a silent
 * loop: a model that answers an unknown role forever, one that answers out of schema forever, and one
 * whose plan for a daily emailed digest has no Hephaestus task. Real PostgreSQL, real Agenda jobs with
 * their backoff, the real openai client against the scripted server (which answers from the planning
 * conversation it is sent, by the project's title). Each ends with a `plan_failed` question checkpoint
 * holding the model's last answer and the error, a notice in the client's conversation, the lines
 * `olympus projects show` prints, the console's project detail, Hermes's status answer and `/metrics`;
 * each prints the model calls it spent (the ledger's count).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { GuidedIntakeBrain } from '../../agents/hermes/guided-intake.js';
import { createLlmRouter } from '../../agents/llm/create-llm-router.js';
import { loadAgentManifests } from '../../agents/specialists/agent-manifest.js';
import { ToolLoopAgent } from '../../agents/specialists/tool-loop-agent.js';
import { Workspaces } from '../../agents/workspace/project-workspace.js';
import { stallLines } from '../../bot/commands/ops-stall-lines.js';
import { loadConfig } from '../../bot/config/load-config.js';
import { instrumentStore } from '../../bot/metrics/instrumented-store.js';
import { createMetrics, type Metrics } from '../../bot/metrics/metrics.js';
import { stalledWorkSampler } from '../../bot/metrics/stalled-work-gauge.js';
import { createJobQueue } from '../../bot/wiring/job-queue.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
import { decideAs } from '../../handlers/ops/ops-queries.js';
import { projectViews } from '../../handlers/ops/project-views.js';
import { checkpointGateway } from '../../orchestration/checkpoints/checkpoint-gateway.js';
import { DeferredJobQueue } from '../../orchestration/deferred-job-queue.js';
import { jobCatalogue } from '../../orchestration/jobs/job-catalogue.js';
import { Orchestrator } from '../../orchestration/orchestrator.js';
import { DEFAULT_PLAN_CALLS } from '../../orchestration/orchestrator-deps.js';
import { PLAN_DATA_LABEL } from '../../orchestration/plan/decompose.js';
import type { Checkpoint, Store } from '../../ports/store.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { startFakeLlmServer, type FakeLlmServer, type ScriptedReply } from '../support/fake-llm-server.js';
import { planTask } from '../support/scripted-project.js';
import { until } from '../support/until.js';

const logger = createSilentLogger();
const TO = 'tina-to';

type Message = { role: string; content?: string | null };

/** The project title in a planning request's data message; null for any other request. */
function plannedTitle(body: Record<string, unknown>): string | null {
  const format = body.response_format as { json_schema?: { name?: string } } | undefined;
  if (format?.json_schema?.name !== 'project_plan') return null;
  const data = ((body.messages ?? []) as Message[]).find((m) => m.content?.startsWith(PLAN_DATA_LABEL));
  if (!data?.content) return null;
  const parsed = JSON.parse(data.content.slice(PLAN_DATA_LABEL.length + 1)) as { project: { title: string } };
  return parsed.project.title;
}

/** The project title in an agent's request (agents offer tools; the task's first user turn names the project). */
function agentTitle(body: Record<string, unknown>): string | null {
  if (!Array.isArray(body.tools)) return null;
  const first = ((body.messages ?? []) as Message[])[1]?.content ?? '';
  return /^Project: "([^"]+)"/.exec(first)?.[1] ?? null;
}

/** The planners that never get it right, one per project title. */
const PLANNERS: Record<string, () => ScriptedReply> = {
  // A role that is not one of the four, every time (the schema's enum refuses it).
  'Role Mixup': () => ({
    content: JSON.stringify({
      summary: 'A developer builds it.',
      tasks: [{ ...planTask('build', 'developer', []), covers: ['F1'] }],
    }),
  }),
  // Prose around half a JSON document, every time.
  'Broken Answers': () => ({
    content: 'Sure! Here is the plan you asked for: {"summary": "Build it", "tasks": [',
  }),
  // A daily emailed digest planned without anyone to run or send it.
  'Morning Digest': () => ({
    content: JSON.stringify({
      summary: 'Fetch the articles, write the email, check both.',
      tasks: [
        planTask('fetch', 'apollo', []),
        planTask('mail', 'apollo', ['fetch']),
        planTask('qa', 'athena', ['fetch', 'mail']),
      ],
    }),
  }),
  // A sound plan, whose agent then never gets its tool calls right.
  'Tool Fumbler': () => ({
    content: JSON.stringify({
      summary: 'Build it, check it.',
      tasks: [planTask('api', 'apollo', []), planTask('qa', 'athena', ['api'])],
    }),
  }),
};

/** The task's cap in this file: a small one, so the test shows it (the default is DEFAULT_TASK_CALLS). */
const TASK_CAP = 4;

describe('planning that cannot succeed stops for a TO within its model-call cap', () => {
  let db: EmbeddedStore;
  let store: Store;
  let llm: FakeLlmServer;
  let scheduler: AgendaJobQueue;
  let intake: ClientMessageHandler;
  let metrics: Metrics;

  beforeAll(async () => {
    db = await startEmbeddedStore();
    llm = await startFakeLlmServer();
    llm.respond((body) => {
      const title = plannedTitle(body);
      if (title) return PLANNERS[title]?.();
      // Every agent step calls a tool that does not exist.
      if (agentTitle(body) === 'Tool Fumbler')
        return { toolCalls: [{ name: 'deploy_everything', arguments: { now: true } }] };
      return undefined;
    });
    const env = {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: llm.openaiBaseUrl,
      OLYMPUS_LLM_MAX_ATTEMPTS: '1',
    };
    const config = loadConfig({ env, cwd: mkdtempSync(path.join(tmpdir(), 'olympus-stalls-')) });
    metrics = createMetrics({ defaultMetrics: false });
    // The store as the composition root wraps it: checkpoint opens and ledger entries are counted.
    store = instrumentStore(db.store, metrics);
    const router = createLlmRouter({ config, store, logger });
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
        logger,
      }),
      manifests: loadAgentManifests(),
      logger,
      // The default cap: no planning round spends more than DEFAULT_PLAN_CALLS model calls.
      settings: { maxTaskAttempts: 2, taskLeaseMs: 60_000, maxTaskCalls: TASK_CAP },
      holder: 'test',
    });
    scheduler = createJobQueue({
      store,
      logger,
      settings: { processEvery: '1 second', maxConcurrency: 10, lockLimit: 10, lockLifetimeMs: 60_000 },
      shutdownTimeoutMs: 5000,
      catalogue: jobCatalogue({ store, logger, orchestrator }),
      work: true,
    });
    jobs.bind(scheduler);
    await scheduler.start();
    intake = new ClientMessageHandler({
      store,
      brain: new GuidedIntakeBrain(),
      logger,
      onHandOff: (projectId) => orchestrator.startPlanning(projectId),
    });
    await store.identities.create({
      displayName: 'Tina',
      role: 'to',
      handles: [{ surface: 'console', externalId: TO }],
    });
  });

  afterAll(async () => {
    await scheduler?.stop();
    await llm?.close();
    await db?.teardown();
  });

  const say = (who: string, key: string, text: string) =>
    intake.dispatch({
      key: `${who}:${key}`,
      surface: 'console' as const,
      handle: { surface: 'email' as const, externalId: who },
      displayName: who.split('@')[0]!,
      threadKey: `email:${who}`,
      text,
    });

  async function confirmedProject(who: string, title: string, summary: string, features: string) {
    await say(
      who,
      '1',
      `Title: ${title}\nSummary: ${summary}\nFeatures: ${features}\nDeadline: 2031-05-01\nBudget: 300 USD`,
    );
    const done = await say(who, '2', 'yes');
    expect(done.state).toBe('handed_off');
    return done.projectId!;
  }

  const clientMessages = async (projectId: string) => {
    const project = (await store.projects.get(projectId))!;
    const conversations = await store.conversations.listByIdentity(project.ownerId);
    return conversations.find((c) => c.projectId === projectId)!.messages.map((m) => m.text);
  };

  const stalledQuestion = (projectId: string) =>
    until(async () => {
      const pending = await store.checkpoints.list({ projectId, status: ['pending'] });
      return pending.find((c) => c.kind === 'question' && c.request.details.purpose === 'plan_failed');
    }, 90_000);

  const planCalls = async (projectId: string) =>
    (await store.ledger.list({ projectId })).filter((entry) => entry.meta.purpose === 'plan').length;

  /** Everything a person can see of the stalled project; returns the question and the calls spent. */
  async function expectVisibleStall(
    projectId: string,
    who: string,
    title: string,
  ): Promise<{ question: Checkpoint; calls: number }> {
    const question = await stalledQuestion(projectId);
    const calls = await planCalls(projectId);
    // eslint-disable-next-line no-console
    console.log(
      `${title}: planning stopped for a TO after ${calls} model calls (ledger entries; cap ${DEFAULT_PLAN_CALLS})`,
    );
    expect(calls).toBeGreaterThan(0);
    expect(calls).toBeLessThanOrEqual(DEFAULT_PLAN_CALLS);
    expect(question.request.details.modelCalls).toBe(calls);
    expect(question.taskId).toBeNull();
    expect((await store.projects.get(projectId))!.status).toBe('planning');

    // Nothing more is spent: the job stopped retrying and the minute's sweep plans nothing while the question waits.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await planCalls(projectId)).toBe(calls);

    // The client is told in plain words.
    const told = await until(async () =>
      (await clientMessages(projectId)).find((m) => m.includes('run into a problem')),
    );
    expect(told).toContain(title);
    expect(told).toContain('an operator has been asked to look at it');
    expect(told).not.toMatch(/LLM_|schema|athena|hephaestus/);

    // `olympus projects show` (the ops API's rows, as the CLI reads them).
    const shown = JSON.parse(JSON.stringify(await projectViews(store).show(projectId))) as {
      checkpoints: Record<string, unknown>[];
    };
    const lines = stallLines(shown.checkpoints);
    expect(lines[0]).toMatch(
      new RegExp(
        `^planning failed after ${calls} model calls: .+; waits for a TO to decide question checkpoint ${question.id}$`,
      ),
    );
    expect(lines[1]).toMatch(/^ {2}the model's last answer: ./);

    // The console's project detail.
    const detail = await projectViews(store).detail((await store.projects.get(projectId))!, { audit: false });
    expect(detail.stalled).toEqual([
      expect.objectContaining({ kind: 'plan', checkpointId: question.id, modelCalls: calls }),
    ]);

    // Hermes's status answer says what is wrong instead of "no tasks have been planned yet".
    const status = await say(who, '3', `How is ${title} going?`);
    expect(status.reply).toContain('Planning has run into a problem');
    expect(status.reply).not.toContain('No tasks have been planned yet');

    // /metrics.
    await stalledWorkSampler(metrics, store.checkpoints)();
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/olympus_stalled_work\{kind="plan"\} [1-9]/);
    expect(text).toMatch(/olympus_work_stalled_total\{kind="plan"\} [1-9]/);
    return { question, calls };
  }

  test('a model that answers an unknown role forever', async () => {
    const projectId = await confirmedProject(
      'rita@example.com',
      'Role Mixup',
      'an order tracker',
      'order list (must)',
    );
    const { question } = await expectVisibleStall(projectId, 'rita@example.com', 'Role Mixup');
    expect(question.request.details.lastAnswer).toContain('"developer"');
    expect(question.request.details.error).toMatch(/role/);
    expect(question.request.summary).toContain("The model's last answer:");
  }, 150_000);

  test('a model that answers out of schema forever', async () => {
    const projectId = await confirmedProject(
      'sam@example.com',
      'Broken Answers',
      'a recipe box',
      'recipes (must)',
    );
    const { question } = await expectVisibleStall(projectId, 'sam@example.com', 'Broken Answers');
    expect(question.request.details.lastAnswer).toContain('Sure! Here is the plan');
    expect(question.request.details.error).toMatch(/not valid JSON/);
  }, 150_000);

  test('a daily emailed digest planned without a Hephaestus task', async () => {
    const projectId = await confirmedProject(
      'pia@example.com',
      'Morning Digest',
      'Daily emails from my Pocket articles, every morning at 7am to my inbox',
      'Pocket digest (must)',
    );
    const { question } = await expectVisibleStall(projectId, 'pia@example.com', 'Morning Digest');
    expect(question.request.details.error).toMatch(/hephaestus/);
    expect(question.request.details.problem).toContain('D1 (delivered by email)');
    expect(question.request.details.lastAnswer).toContain('"qa"');
    // The repair named the gap to the model: its own plan as the assistant turn, the problem after it.
    const repair = llm
      .chatRequests()
      .map((request) => (request.body.messages ?? []) as Message[])
      .find((messages) => plannedTitleOf(messages) === 'Morning Digest' && messages.length === 5)!;
    expect(repair.map((m) => m.role)).toEqual(['system', 'system', 'user', 'assistant', 'user']);
    expect(repair[4]!.content).toContain('hephaestus');
    const told = (await clientMessages(projectId)).find((m) => m.includes('run into a problem'))!;
    expect(told).toContain('left parts of your brief');

    // The TO answers: reject puts the project on hold and tells the client.
    const decided = await decideAs({
      store,
      jobs: scheduler,
      checkpointId: question.id,
      as: `console:${TO}`,
      outcome: 'rejected',
      reason: 'needs a human planner',
    });
    expect(decided.status).toBe('decided');
    await until(async () => (await store.projects.get(projectId))?.status === 'on_hold', 30_000);
    await until(async () =>
      (await clientMessages(projectId)).some((m) => m.includes('needs a human planner')),
    );
  }, 150_000);

  test('a task whose model keeps answering with a tool that does not exist stops at its model-call cap', async () => {
    const who = 'tom@example.com';
    const projectId = await confirmedProject(who, 'Tool Fumbler', 'a recipe box', 'recipes (must)');
    const review = await until(async () =>
      (await store.checkpoints.list({ projectId, status: ['pending'] })).find(
        (c) => c.kind === 'plan_review',
      ),
    );
    expect(review.request.summary).toContain('covers F1 recipes');
    await decideAs({
      store,
      jobs: scheduler,
      checkpointId: review.id,
      as: `console:${TO}`,
      outcome: 'approved',
    });
    const question = await until(async () => {
      const pending = await store.checkpoints.list({ projectId, status: ['pending'] });
      return pending.find((c) => c.kind === 'question' && c.request.details.purpose === 'task_failed');
    }, 90_000);
    const [api] = (await store.tasks.listByProject(projectId)).filter((t) => t.key === 'api');
    const calls = (await store.ledger.list({ taskId: api!.id })).length;
    // eslint-disable-next-line no-console
    console.log(
      `Tool Fumbler: task api stopped for a TO after ${calls} model calls (ledger entries; cap ${TASK_CAP})`,
    );
    expect(calls).toBe(TASK_CAP);
    expect(api!.status).toBe('failed');
    expect(question.taskId).toBe(api!.id);
    expect(question.request.details.modelCalls).toBe(TASK_CAP);
    expect(question.request.details.lastAnswer).toContain('deploy_everything');
    expect(question.request.details.error).toMatch(/model calls/);
    const told = await until(async () =>
      (await clientMessages(projectId)).find((m) => m.includes('kept failing')),
    );
    expect(told).toContain('"Do api"');
    const shown = JSON.parse(JSON.stringify(await projectViews(store).show(projectId))) as {
      checkpoints: Record<string, unknown>[];
    };
    expect(stallLines(shown.checkpoints)[0]).toMatch(
      new RegExp(
        `^task api failed after ${TASK_CAP} model calls: .+; waits for a TO to decide question checkpoint ${question.id}$`,
      ),
    );
    await stalledWorkSampler(metrics, store.checkpoints)();
    expect(await metrics.registry.metrics()).toMatch(/olympus_stalled_work\{kind="task"\} 1/);
    const status = await say(who, '3', 'How is Tool Fumbler going?');
    expect(status.reply).toContain('kept failing and waits for an operator');
  }, 150_000);
});

function plannedTitleOf(messages: Message[]): string | null {
  const data = messages.find((m) => m.content?.startsWith(PLAN_DATA_LABEL));
  if (!data?.content) return null;
  return (JSON.parse(data.content.slice(PLAN_DATA_LABEL.length + 1)) as { project: { title: string } })
    .project.title;
}
