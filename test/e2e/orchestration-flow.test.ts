/**
 * The orchestrator end to end: a brief confirmed through the intake handler → plan from the scripted LLM
 * server (real openai client) → plan_review checkpoint → decided through the one decision handler →
 * tasks run as real Agenda jobs (each agent's tool loop ending with `finish`) in dependency order → project
 * completed and the client told. Also: an
 * invalid plan (a cycle) repaired once, a rejected plan, and a task failing past its retries.
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
import { loadConfig } from '../../bot/config/load-config.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
import { decideAs } from '../../handlers/ops/ops-queries.js';
import { checkpointGateway } from '../../orchestration/checkpoints/checkpoint-gateway.js';
import { DeferredJobQueue } from '../../orchestration/deferred-job-queue.js';
import { jobCatalogue } from '../../orchestration/jobs/job-catalogue.js';
import { createJobQueue } from '../../bot/wiring/job-queue.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import { Orchestrator } from '../../orchestration/orchestrator.js';
import type { Checkpoint, ProjectStatus } from '../../ports/store.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.js';
import { until } from '../support/until.js';
import { FOUR_TASK_PLAN, planTask } from '../support/scripted-project.js';

const logger = createSilentLogger();

const RESULT = { summary: 'Done as specified.', artifacts: [{ kind: 'file', ref: 'src/index.ts' }] };
const json = (value: unknown) => ({ content: JSON.stringify(value) });
/** An agent's answer that ends its task at once. */
const finish = (value: typeof RESULT) => ({ toolCalls: [{ name: 'finish', arguments: value }] });

describe('orchestration', () => {
  let db: EmbeddedStore;
  let llm: FakeLlmServer;
  let scheduler: AgendaJobQueue;
  let intake: ClientMessageHandler;
  let orchestrator: Orchestrator;
  const TO = 'tina-to';

  beforeAll(async () => {
    db = await startEmbeddedStore();
    llm = await startFakeLlmServer();
    const env = {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: llm.openaiBaseUrl,
      OLYMPUS_LLM_MAX_ATTEMPTS: '1',
    };
    const config = loadConfig({ env, cwd: mkdtempSync(path.join(tmpdir(), 'olympus-orch-')) });
    const store = db.store;
    const router = createLlmRouter({ config, store, logger });
    const jobs = new DeferredJobQueue();
    orchestrator = new Orchestrator({
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
      settings: { maxTaskAttempts: 2, taskLeaseMs: 60_000 },
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

  async function confirmedProject(who: string, title: string): Promise<string> {
    const message = (key: string, text: string) => ({
      key: `${who}:${key}`,
      surface: 'console' as const,
      handle: { surface: 'email' as const, externalId: who },
      displayName: who.split('@')[0]!,
      threadKey: `email:${who}`,
      text,
    });
    await intake.dispatch(
      message(
        '1',
        `Title: ${title}\nSummary: a tool for ${title}\nFeatures: export (should), charts (could)\nDeadline: 2031-05-01\nBudget: 10,000 EUR`,
      ),
    );
    const done = await intake.dispatch(message('2', 'yes'));
    expect(done.state).toBe('handed_off');
    return done.projectId!;
  }

  const pendingReview = (projectId: string) =>
    until(async () => {
      const all = await db.store.checkpoints.list({ projectId, status: ['pending'] });
      return all.find((checkpoint) => checkpoint.kind === 'plan_review');
    });
  const status = (projectId: string, wanted: ProjectStatus) =>
    until(async () => (await db.store.projects.get(projectId))?.status === wanted, 60_000);
  const clientMessages = async (projectId: string) => {
    const project = (await db.store.projects.get(projectId))!;
    const conversations = await db.store.conversations.listByIdentity(project.ownerId);
    return conversations.find((c) => c.projectId === projectId)!.messages.map((m) => m.text);
  };

  test('confirmed brief → approved plan → tasks in dependency order → completed, client told', async () => {
    llm.reply(json(FOUR_TASK_PLAN), finish(RESULT), finish(RESULT), finish(RESULT), finish(RESULT));
    const projectId = await confirmedProject('alice@example.com', 'Sales Digest');
    const review: Checkpoint = await pendingReview(projectId);
    await status(projectId, 'awaiting_approval');
    expect(review.request.details.plan).toEqual(FOUR_TASK_PLAN);
    expect(review.request.details.tasks).toHaveLength(4);
    expect(review.request.summary).toContain('qa [athena]: Do qa (after api, ui)');
    expect(await db.store.tasks.listByProject(projectId)).toEqual([]);

    const decided = await decideAs({
      store: db.store,
      jobs: scheduler,
      checkpointId: review.id,
      as: `console:${TO}`,
      outcome: 'approved',
    });
    expect(decided.status).toBe('decided');
    await status(projectId, 'completed');

    const tasks = await db.store.tasks.listByProject(projectId);
    expect(tasks).toHaveLength(4);
    expect(new Set(tasks.map((t) => t.role)).size).toBeGreaterThanOrEqual(3);
    expect(tasks.every((t) => t.status === 'done' && t.artifacts.length === 1)).toBe(true);

    // The completion event follows the status change; wait for it rather than race it.
    const events = await until(async () => {
      const all = await db.store.audit.list();
      return all.some((e) => e.action === 'project.completed' && e.subjectId === projectId) ? all : null;
    });
    const seqOf = (action: string, key: string) =>
      events.find((e) => e.action === action && e.data.key === key && e.data.projectId === projectId)!.seq;
    for (const t of FOUR_TASK_PLAN.tasks) {
      for (const dependency of t.dependsOn)
        expect(seqOf('task.done', dependency)).toBeLessThan(seqOf('task.started', t.key));
    }
    const completed = events.find((e) => e.action === 'project.completed' && e.subjectId === projectId)!;
    expect(completed.seq).toBeGreaterThan(seqOf('task.done', 'deploy'));
    // The client is told after the status change; wait for it rather than race it.
    const messages = await until(async () => {
      const all = await clientMessages(projectId);
      return all.some((m) => m.includes('"Sales Digest" is complete')) ? all : null;
    });
    // Status digests go into the same conversation, so the notice need not be the last message.
    expect(messages.filter((m) => m.includes('"Sales Digest" is complete'))).toHaveLength(1);
    // The plan went out on the reasoning tier, each task with its agent's system prompt.
    const bodies = llm.chatRequests().map((r) => JSON.stringify(r.body));
    expect(bodies[0]).toContain('gpt-4o');
    expect(bodies.filter((b) => b.includes('You are Athena'))).toHaveLength(1);
  });

  test('a plan with a cycle is sent back once with the cycle named, and the repaired plan is proposed', async () => {
    const cyclic = {
      summary: 'Cyclic.',
      tasks: [
        planTask('api', 'apollo', ['ui']),
        planTask('ui', 'aphrodite', ['api']),
        planTask('qa', 'athena', ['api']),
      ],
    };
    const before = llm.chatRequests().length;
    llm.reply(json(cyclic), json(FOUR_TASK_PLAN));
    const projectId = await confirmedProject('carol@example.com', 'Cycle Shop');
    const review = await pendingReview(projectId);
    await status(projectId, 'awaiting_approval');
    expect(review.request.details.plan).toEqual(FOUR_TASK_PLAN);
    const repair = JSON.stringify(llm.chatRequests()[before + 1]!.body);
    expect(repair).toMatch(/cycle: (api → ui → api|ui → api → ui)/);
    // The audit event follows the status change; wait for it rather than race it.
    const proposed = await until(async () =>
      (await db.store.audit.list({ subjectId: projectId })).find((e) => e.action === 'project.plan_proposed'),
    );
    expect(proposed.data.repaired).toBe(true);
  });

  test('a rejected plan puts the project on hold and tells the client', async () => {
    llm.reply(json(FOUR_TASK_PLAN));
    const projectId = await confirmedProject('dave@example.com', 'Rejected Thing');
    const review = await pendingReview(projectId);
    const decided = await decideAs({
      store: db.store,
      jobs: scheduler,
      checkpointId: review.id,
      as: `console:${TO}`,
      outcome: 'rejected',
      reason: 'too expensive',
    });
    expect(decided.status).toBe('decided');
    await status(projectId, 'on_hold');
    await until(async () => (await clientMessages(projectId)).some((m) => m.includes('too expensive')));
    expect(await db.store.tasks.listByProject(projectId)).toEqual([]);
    const actions = (await db.store.audit.list({ subjectId: projectId })).map((e) => e.action);
    expect(actions).toContain('project.plan_rejected');
  });

  test('a plan modified by a TO is re-planned with the changes', async () => {
    llm.reply(json(FOUR_TASK_PLAN));
    const projectId = await confirmedProject('erin@example.com', 'Modified Thing');
    const first = await pendingReview(projectId);
    const before = llm.chatRequests().length;
    llm.reply(json(FOUR_TASK_PLAN));
    await decideAs({
      store: db.store,
      jobs: scheduler,
      checkpointId: first.id,
      as: `console:${TO}`,
      outcome: 'modified',
      changes: 'add a load test',
    });
    const second = await until(async () => {
      const review = await pendingReview(projectId);
      return review.id === first.id ? null : review;
    });
    expect(second.request.details.revisionOf).toBe(first.id);
    expect(JSON.stringify(llm.chatRequests()[before]!.body)).toContain('add a load test');
  });

  test('a task failing past its retries opens a question checkpoint', async () => {
    const single = { summary: 'One task.', tasks: [planTask('api', 'apollo', [])] };
    llm.reply(json(single));
    const projectId = await confirmedProject('frank@example.com', 'Failing Thing');
    const review = await pendingReview(projectId);
    llm.reply({ status: 400, error: 'bad request' }, { status: 400, error: 'bad request' });
    await decideAs({
      store: db.store,
      jobs: scheduler,
      checkpointId: review.id,
      as: `console:${TO}`,
      outcome: 'approved',
    });
    // Two attempts with the job's retry backoff between them: give a loaded machine time.
    const question = await until(async () => {
      const all = await db.store.checkpoints.list({ projectId, status: ['pending'] });
      return all.find((checkpoint) => checkpoint.kind === 'question');
    }, 60_000);
    const [failed] = await db.store.tasks.listByProject(projectId);
    expect(failed!.status).toBe('failed');
    expect(failed!.attempts).toBe(2);
    expect(question.taskId).toBe(failed!.id);
    expect(question.request.details.options).toEqual({ approve: 'retry', modify: 'skip', reject: 'cancel' });

    // Skip: the task counts as done and the project completes.
    await decideAs({
      store: db.store,
      jobs: scheduler,
      checkpointId: question.id,
      as: `console:${TO}`,
      outcome: 'modified',
    });
    await status(projectId, 'completed');
  }, 150_000);
});
