/**
 * The specialists' tool-calling loop end to end, against the scripted LLM server (real openai client),
 * real Agenda jobs, embedded PostgreSQL and real git workspaces:
 * - a confirmed brief → a plan of 4 tasks over 4 roles → plan_review approved through the decision
 *   handler → each agent writes files with tools and calls `finish` → tasks in dependency order (audit
 *   timestamps) → a commit by every agent in the project's workspace → project completed, client told;
 * - `request_checkpoint` parks the task (no job, no lease held) and the decision resumes it through
 *   `task.resume`, as the waiting call's answer;
 * - a spend checkpoint (the budget gate) that a TO rejects cancels the task and says why;
 * - invalid tool arguments and unknown tools are answered with the problem, and the model corrects itself.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
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
import { BudgetGate } from '../../orchestration/budget/budget-gate.js';
import { DEFAULT_BUDGET_SETTINGS } from '../../orchestration/budget/budget-settings.js';
import { checkpointGateway } from '../../orchestration/checkpoints/checkpoint-gateway.js';
import { DeferredJobQueue } from '../../orchestration/deferred-job-queue.js';
import { jobCatalogue } from '../../orchestration/jobs/job-catalogue.js';
import { createJobQueue } from '../../bot/wiring/job-queue.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import { Orchestrator } from '../../orchestration/orchestrator.js';
import type { Checkpoint, ProjectStatus } from '../../ports/store.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import {
  startFakeLlmServer,
  type FakeLlmServer,
  type ScriptedReply,
  type ScriptedToolCall,
} from '../support/fake-llm-server.js';
import { until } from '../support/until.js';
import { FOUR_TASK_PLAN, planTask } from '../support/scripted-project.js';
import express from 'express';
import { createIdentityToken, identityTokensSchema } from '../../bot/console/console-access.js';
import { consoleRoutes } from '../../bot/console/console-routes.js';
import { surfaceUseCases } from '../../handlers/surface-use-cases.js';
import { workspaceNoticeFiles } from '../../orchestration/deliverables/workspace-files.js';
import { conversationThread } from '../../orchestration/notices/notice-threads.js';
import { threadEffectId } from '../../orchestration/notices/record-notice.js';

/** The paths a .tar.gz holds (files only), sorted, listed by tar. */
function tarList(archive: Buffer): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = execFile('tar', ['-tzf', '-'], (error, stdout) => {
      if (error) reject(error instanceof Error ? error : new Error('tar failed'));
      else
        resolve(
          stdout
            .split('\n')
            .filter((line) => line.length > 0 && !line.endsWith('/'))
            .sort(),
        );
    });
    child.stdin!.end(archive);
  });
}

const logger = createSilentLogger();

const json = (value: unknown) => ({ content: JSON.stringify(value) });
const calls = (...toolCalls: ScriptedToolCall[]): ScriptedReply => ({ toolCalls });

type Message = { role: string; content?: string | null; tool_calls?: unknown[] };
const messagesOf = (body: Record<string, unknown>) => (body.messages ?? []) as Message[];
const taskKeyOf = (body: Record<string, unknown>) =>
  /"key": "([a-z0-9-]+)"/.exec(messagesOf(body)[1]?.content ?? '')?.[1] ?? 'unknown';
const projectOf = (body: Record<string, unknown>) =>
  /^Project: "([^"]+)"/.exec(messagesOf(body)[1]?.content ?? '')?.[1] ?? '';
const toolAnswers = (body: Record<string, unknown>) =>
  messagesOf(body)
    .filter((m) => m.role === 'tool')
    .map((m) => m.content ?? '');
const stepOf = (body: Record<string, unknown>) =>
  messagesOf(body).filter((m) => m.role === 'assistant').length;

describe('specialist agents', () => {
  let db: EmbeddedStore;
  let llm: FakeLlmServer;
  let scheduler: AgendaJobQueue;
  let intake: ClientMessageHandler;
  let workspaces: Workspaces;
  let orchestrator: Orchestrator;
  const TO = 'tina-to';
  /** The data directory (the project workspaces' git repositories), removed after the suite. */
  let cwd = '';

  beforeAll(async () => {
    db = await startEmbeddedStore();
    llm = await startFakeLlmServer();
    const env = {
      OPENAI_API_KEY: 'sk-test',
      OPENAI_BASE_URL: llm.openaiBaseUrl,
      OLYMPUS_LLM_MAX_ATTEMPTS: '1',
    };
    cwd = mkdtempSync(path.join(tmpdir(), 'olympus-agents-'));
    const config = loadConfig({ env, cwd });
    const store = db.store;
    const router = createLlmRouter({ config, store, logger });
    const jobs = new DeferredJobQueue();
    workspaces = new Workspaces(config.dataDir);
    orchestrator = new Orchestrator({
      store,
      jobs,
      router,
      agents: new ToolLoopAgent({
        store,
        checkpoints: checkpointGateway({ store, jobs }),
        router,
        workspaces,
        logger,
        spendGate: new BudgetGate({ store, jobs, settings: { ...DEFAULT_BUDGET_SETTINGS, autoApprove: 5 } }),
        // One project's calls are expensive enough to need a TO.
        estimateCallCost: (_manifest, run) => (run.project.title === 'Pricey Thing' ? 50 : 0.01),
      }),
      manifests: loadAgentManifests(),
      logger,
      settings: { maxTaskAttempts: 2, taskLeaseMs: 60_000 },
      holder: 'test',
      workspaces,
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
    llm.respond((body) => agentScript(body));
  });

  afterAll(async () => {
    await scheduler?.stop();
    await llm?.close();
    await db?.teardown();
    if (cwd) rmSync(cwd, { recursive: true, force: true });
  });

  /** What each scripted agent does, worked out from its conversation so far. */
  function agentScript(body: Record<string, unknown>): ScriptedReply | undefined {
    const key = taskKeyOf(body);
    const step = stepOf(body);
    const project = projectOf(body);
    const answers = toolAnswers(body);
    if (project === 'Question Thing') {
      if (step === 0)
        return calls({
          name: 'request_checkpoint',
          arguments: { title: 'Which port?', question: 'Which port should the API listen on?' },
        });
      const decision = answers.at(-1) ?? '';
      return calls(
        { name: 'write_file', arguments: { path: 'api/port.txt', content: decision } },
        { name: 'finish', arguments: { summary: 'Used the port the TO chose.' } },
      );
    }
    if (project === 'Endless Thing') return calls({ name: 'list_files', arguments: {} });
    if (project === 'Sloppy Thing') {
      if (step === 0)
        return calls(
          { name: 'write_file', arguments: { path: '../escape.txt', content: 'x' } },
          { name: 'write_file', arguments: { file: 'missing-path.txt' } },
          { name: 'deploy_everything', arguments: {} },
        );
      return calls({ name: 'finish', arguments: { summary: 'Corrected myself.', artifacts: [] } });
    }
    if (step === 0)
      return calls(
        { name: 'write_file', arguments: { path: `${key}/README.md`, content: `# ${key}\n` } },
        { name: 'list_files', arguments: {} },
      );
    return calls({
      name: 'finish',
      arguments: { summary: `${key} delivered.`, artifacts: [{ kind: 'file', ref: `${key}/README.md` }] },
    });
  }

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

  /** Requests of the agents (they offer tools; the planner does not) of one project. */
  const agentRequests = (title: string) =>
    llm.chatRequests().filter((r) => Array.isArray(r.body.tools) && projectOf(r.body) === title);
  const pending = (projectId: string, kind: Checkpoint['kind']) =>
    until(async () => {
      const all = await db.store.checkpoints.list({ projectId, status: ['pending'] });
      return all.find((checkpoint) => checkpoint.kind === kind);
    });
  const status = (projectId: string, wanted: ProjectStatus) =>
    until(async () => (await db.store.projects.get(projectId))?.status === wanted, 60_000);
  const decide = (checkpointId: string, outcome: 'approved' | 'modified' | 'rejected', extra = {}) =>
    decideAs({ store: db.store, jobs: scheduler, checkpointId, as: `console:${TO}`, outcome, ...extra });
  async function approvedPlan(title: string, who: string, plan: unknown): Promise<string> {
    llm.reply(json(plan));
    const projectId = await confirmedProject(who, title);
    const review = await pending(projectId, 'plan_review');
    expect((await decide(review.id, 'approved')).status).toBe('decided');
    return projectId;
  }

  test('brief → plan of 4 tasks over 4 roles → approved → agents work in dependency order, each commits → completed', async () => {
    const projectId = await approvedPlan('Sales Digest', 'alice@example.com', FOUR_TASK_PLAN);
    await status(projectId, 'completed');

    const project = (await db.store.projects.get(projectId))!;
    const tasks = await db.store.tasks.listByProject(projectId);
    expect(tasks).toHaveLength(4);
    expect(new Set(tasks.map((t) => t.role)).size).toBe(4);
    expect(tasks.every((t) => t.status === 'done')).toBe(true);
    expect(tasks.find((t) => t.key === 'qa')!.artifacts).toEqual([{ kind: 'file', ref: 'qa/README.md' }]);

    // Dependency order, by the audit log's timestamps: a task starts after everything it depends on is done.
    const events = await db.store.audit.list();
    const at = (action: string, key: string) =>
      events.find((e) => e.action === action && e.data.key === key && e.data.projectId === projectId)!;
    for (const planned of FOUR_TASK_PLAN.tasks) {
      for (const dependency of planned.dependsOn) {
        const done = at('task.done', dependency);
        const started = at('task.started', planned.key);
        expect(done.at.getTime()).toBeLessThanOrEqual(started.at.getTime());
        expect(done.seq).toBeLessThan(started.seq);
      }
    }

    // The workspace: one commit per agent step that wrote files, authored by the agent, with its trailer.
    const log = await workspaces.forProject(project).log();
    const authors = log.map((commit) => `${commit.authorName} <${commit.authorEmail}>`);
    for (const who of ['Apollo', 'Aphrodite', 'Athena', 'Hephaestus'])
      expect(authors).toContain(`${who} <${who.toLowerCase()}@agents.olympus.local>`);
    const byId = new Map(tasks.map((t) => [t.id, t]));
    const trailers = log.flatMap((commit) => /Olympus-Step: (\S+)\/(\d+)/.exec(commit.message) ?? []);
    expect(log.filter((commit) => commit.message.includes('Olympus-Step:'))).toHaveLength(4);
    expect(trailers.filter((value) => byId.has(value))).toHaveLength(4);
    expect(await workspaces.forProject(project).list()).toEqual([
      'api/README.md',
      'deploy/README.md',
      'qa/README.md',
      'ui/README.md',
    ]);

    // Two steps per task, one ledger entry per step, keyed by task and step.
    const ledger = (await db.store.ledger.list({ projectId })).filter((entry) => entry.taskId !== null);
    expect(ledger.map((entry) => entry.effectKey).sort()).toEqual(
      tasks.flatMap((t) => [`llm:${t.id}:0`, `llm:${t.id}:1`]).sort(),
    );

    // The model saw the tools as JSON schemas and the task only as quoted data.
    const athena = llm
      .chatRequests()
      .map((r) => r.body)
      .find((body) => String(messagesOf(body)[0]?.content).startsWith('You are Athena'))!;
    const tools = (athena.tools as { function: { name: string; parameters: { properties?: object } } }[]).map(
      (tool) => tool.function,
    );
    expect(tools.map((tool) => tool.name)).toEqual(
      expect.arrayContaining(['read_file', 'write_file', 'finish']),
    );
    expect(tools.map((tool) => tool.name)).not.toContain('run_command'); // the shell is off by default
    expect(tools.find((tool) => tool.name === 'write_file')!.parameters.properties).toHaveProperty('path');
    expect(messagesOf(athena)[1]!.content).toContain('Task (JSON data):');
    // Agents that may ask for credentials are told to ask first, by service and API host.
    expect(messagesOf(athena)[0]!.content).toMatch(/call `request_credential`\s+before any other work/);
    expect(messagesOf(athena)[0]!.content).toContain('API host name');

    // The client is told after the status change.
    const told = await until(async () => {
      const conversations = await db.store.conversations.listByIdentity(project.ownerId);
      const texts = conversations.find((c) => c.projectId === projectId)!.messages.map((m) => m.text);
      return texts.some((text) => /"Sales Digest" is complete/.test(text)) ? texts : null;
    });
    expect(told.at(-1)).toMatch(/"Sales Digest" is complete/);
  });

  test('the client receives the deliverables: a summary per task with its files, and the workspace archive (notice attachment, console download for the owner only)', async () => {
    const projectId = await approvedPlan('Report Thing', 'frank@example.com', FOUR_TASK_PLAN);
    await status(projectId, 'completed');
    const project = (await db.store.projects.get(projectId))!;

    // The completion notice says what each task delivered and which files it changed.
    const notice = await until(async () => {
      const conversations = await db.store.conversations.listByIdentity(project.ownerId);
      const texts = conversations.find((c) => c.projectId === projectId)!.messages.map((m) => m.text);
      return texts.find((text) => text.includes('"Report Thing" is complete')) ?? null;
    });
    for (const key of ['api', 'ui', 'qa', 'deploy'])
      expect(notice).toContain(`• Do ${key}: ${key} delivered.\n  Files: ${key}/README.md`);
    expect(notice).toContain(`${project.key}-workspace.tar.gz`);

    // The recorded notice refers to the archive; the bytes are made at delivery time.
    const conversation = (await db.store.conversations.listByIdentity(project.ownerId)).find(
      (c) => c.projectId === projectId,
    )!;
    const thread = conversationThread(conversation);
    const entry = await db.store.outbox.get(
      threadEffectId(`notice:${projectId}:completed`, thread.surface, thread.threadKey),
    );
    expect((entry?.payload as { attachments?: unknown }).attachments).toEqual([
      { kind: 'workspace_archive', projectId },
    ]);
    const files = workspaceNoticeFiles({ store: db.store, workspaces, logger });
    const archive = (await files.resolve({ kind: 'workspace_archive', projectId }))!;
    expect(archive.name).toBe(`${project.key}-workspace.tar.gz`);
    expect(archive.contentType).toBe('application/gzip');
    expect(await tarList(Buffer.from(archive.data))).toEqual(
      ['api/README.md', 'deploy/README.md', 'qa/README.md', 'ui/README.md'].map((f) => `${project.key}/${f}`),
    );
    // Too large to send: not sent (the notice says where to download it).
    const small = workspaceNoticeFiles({ store: db.store, workspaces, logger, maxBytes: 10 });
    expect(await small.resolve({ kind: 'workspace_archive', projectId })).toBeNull();

    // The console: the owner reads the report and downloads the archive; another client may not.
    const frank = createIdentityToken('email:frank@example.com');
    const dave = createIdentityToken('email:dave@example.com');
    await db.store.identities.create({
      displayName: 'dave',
      role: 'client',
      handles: [{ surface: 'email', externalId: 'dave@example.com' }],
    });
    const app = express();
    app.use(
      consoleRoutes({
        useCases: surfaceUseCases({ store: db.store, deliverables: { workspaces, logger } }),
        handler: intake,
        logger,
        access: {
          adminToken: null,
          identityTokens: identityTokensSchema.parse([frank.entry, dave.entry].join(',')),
        },
      }),
    );
    const server = app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const get = (pathname: string, token: string) =>
      fetch(`${base}${pathname}`, { headers: { authorization: `Bearer ${token}` } });
    try {
      const report = await get(`/api/console/projects/${projectId}/deliverables`, frank.token);
      expect(report.status).toBe(200);
      const body = (await report.json()) as {
        status: string;
        download: string;
        tasks: { key: string; role: string; summary: string; files: string[] }[];
      };
      expect(body.status).toBe('completed');
      expect(body.tasks.map((t) => [t.key, t.role, t.summary, t.files])).toEqual([
        ['api', 'apollo', 'api delivered.', ['api/README.md']],
        ['ui', 'aphrodite', 'ui delivered.', ['ui/README.md']],
        ['qa', 'athena', 'qa delivered.', ['qa/README.md']],
        ['deploy', 'hephaestus', 'deploy delivered.', ['deploy/README.md']],
      ]);
      const download = await get(body.download, frank.token);
      expect(download.status).toBe(200);
      expect(download.headers.get('content-type')).toBe('application/gzip');
      expect(download.headers.get('content-disposition')).toContain(`${project.key}-workspace.tar.gz`);
      expect(await tarList(Buffer.from(await download.arrayBuffer()))).toHaveLength(4);
      for (const pathname of [`/api/console/projects/${projectId}/deliverables`, body.download]) {
        const refused = await get(pathname, dave.token);
        expect(refused.status).toBe(403);
        expect(((await refused.json()) as { message: string }).message).toContain('your own projects');
      }
    } finally {
      server.close();
    }
  });

  test('a completion cut short right after the status change tells the client on the next pass, once', async () => {
    llm.reply(json({ summary: 'One task.', tasks: [planTask('api', 'apollo', [])] }));
    const projectId = await confirmedProject('gina@example.com', 'Cut Short Thing');
    await pending(projectId, 'plan_review');
    // The review card may be open a moment before the project's status says it waits for it.
    await status(projectId, 'awaiting_approval');
    // What a process leaves when it dies right after marking the project completed: every task done, the
    // project completed, no notice recorded.
    await db.store.tasks.createMany(projectId, [
      { key: 'api', role: 'apollo', title: 'Do api', spec: 'Build it.', status: 'done' },
    ]);
    expect(await db.store.projects.setStatus(projectId, ['awaiting_approval'], 'completed')).not.toBeNull();
    await orchestrator.advance(projectId);
    await orchestrator.advance(projectId);
    const project = (await db.store.projects.get(projectId))!;
    const conversation = (await db.store.conversations.listByIdentity(project.ownerId)).find(
      (c) => c.projectId === projectId,
    )!;
    const told = conversation.messages.filter((m) => m.text.includes('"Cut Short Thing" is complete'));
    expect(told).toHaveLength(1);
    expect(told[0]!.text).toContain('• Do api\n  Files: none changed');
    const thread = conversationThread(conversation);
    const entry = await db.store.outbox.get(
      threadEffectId(`notice:${projectId}:completed`, thread.surface, thread.threadKey),
    );
    expect(entry).not.toBeNull();
  });

  test('request_checkpoint parks the task without a worker; the decision resumes it as the answer', async () => {
    const projectId = await approvedPlan('Question Thing', 'bob@example.com', {
      summary: 'One task.',
      tasks: [planTask('api', 'apollo', [])],
    });
    const question = await pending(projectId, 'question');
    expect(question.request.details.purpose).toBe('agent_question');
    expect(question.request.details.question).toBe('Which port should the API listen on?');
    expect(question.requestedBy).toBe('agent:apollo');
    const parked = await until(async () => {
      const [t] = await db.store.tasks.listByProject(projectId);
      return t?.status === 'waiting_checkpoint' ? t : null;
    });
    expect(parked.leaseHolder).toBeNull(); // no worker holds it while the TO thinks
    expect((await db.store.tasks.getProgress(parked.id))?.waitingOn).toBe(question.id);
    const before = agentRequests('Question Thing').length;
    expect(before).toBe(1);

    await decide(question.id, 'modified', { changes: 'use port 8080' });
    await status(projectId, 'completed');
    const [done] = await db.store.tasks.listByProject(projectId);
    expect(done!.status).toBe('done');
    const requests = agentRequests('Question Thing');
    expect(requests).toHaveLength(2); // step 0 was not asked again
    const answer = JSON.parse(toolAnswers(requests[1]!.body).at(-1)!) as Record<string, unknown>;
    expect(answer).toMatchObject({
      checkpointId: question.id,
      decision: 'modified',
      changes: 'use port 8080',
    });
    const project = (await db.store.projects.get(projectId))!;
    const file = await workspaces.forProject(project).read('api/port.txt');
    expect(file.content).toContain('use port 8080');
    const actions = (await db.store.audit.list({ subjectId: done!.id })).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['task.started', 'task.waiting', 'task.resumed', 'task.done']),
    );
    expect(actions.indexOf('task.waiting')).toBeLessThan(actions.indexOf('task.resumed'));
  });

  test('a spend checkpoint a TO rejects cancels the task, its dependents too, and says why', async () => {
    const projectId = await approvedPlan('Pricey Thing', 'carol@example.com', {
      summary: 'Two tasks.',
      tasks: [planTask('api', 'apollo', []), planTask('qa', 'athena', ['api'])],
    });
    const spend = await pending(projectId, 'spend');
    const [api] = await db.store.tasks.listByProject(projectId);
    expect(spend.taskId).toBe(api!.id);
    await until(async () => (await db.store.tasks.get(api!.id))?.status === 'waiting_checkpoint');
    await decide(spend.id, 'rejected', { reason: 'too expensive for this client' });
    await status(projectId, 'completed');
    const tasks = await db.store.tasks.listByProject(projectId);
    expect(tasks.map((t) => t.status)).toEqual(['cancelled', 'cancelled']);
    expect(tasks[0]!.lastError).toContain('too expensive for this client');
    const cancelled = (await db.store.audit.list({ subjectId: api!.id })).find(
      (e) => e.action === 'task.cancelled',
    )!;
    expect(cancelled.data.reason).toContain('too expensive for this client');
    expect(cancelled.data.checkpointId).toBe(spend.id);
    expect(agentRequests('Pricey Thing')).toHaveLength(0);
  });

  test('invalid arguments and unknown tools are answered with the problem; the model corrects itself', async () => {
    const projectId = await approvedPlan('Sloppy Thing', 'dave@example.com', {
      summary: 'One task.',
      tasks: [planTask('api', 'apollo', [])],
    });
    await status(projectId, 'completed');
    const second = agentRequests('Sloppy Thing')[1]!;
    const [escape, missing, unknown] = toolAnswers(second.body).map(
      (content) => (JSON.parse(content) as { error: string }).error,
    );
    expect(escape).toMatch(/"\.\.\/escape\.txt" refused: "\.\." is not allowed/);
    expect(missing).toMatch(/invalid arguments for write_file/);
    expect(missing).toMatch(/path/);
    expect(unknown).toMatch(/unknown tool "deploy_everything"/);
    const project = (await db.store.projects.get(projectId))!;
    expect(await workspaces.forProject(project).list()).toEqual([]);
  });

  test('an agent that never finishes fails each attempt at its step limit, then a TO is asked', async () => {
    const projectId = await approvedPlan('Endless Thing', 'erin@example.com', {
      summary: 'One task.',
      tasks: [planTask('api', 'apollo', [])],
    });
    const question = await until(async () => {
      const all = await db.store.checkpoints.list({ projectId, status: ['pending'] });
      return all.find((checkpoint) => checkpoint.kind === 'question');
    }, 120_000);
    const [failed] = await db.store.tasks.listByProject(projectId);
    const limit = loadAgentManifests().apollo.limits.maxSteps;
    expect(failed).toMatchObject({ status: 'failed', attempts: 2 });
    expect(failed!.lastError).toBe(
      `Apollo used all ${limit} steps of its manifest on task api without calling finish`,
    );
    expect(question.request.details.error).toBe(failed!.lastError);
    // Each attempt had its own steps: one model call and one ledger entry per step, none repeated.
    expect(agentRequests('Endless Thing')).toHaveLength(2 * limit);
    const keys = (await db.store.ledger.list({ taskId: failed!.id })).map((entry) => entry.effectKey);
    expect(new Set(keys).size).toBe(2 * limit);
    // The second attempt started a fresh conversation rather than carrying the first one's.
    const second = agentRequests('Endless Thing')[limit]!;
    expect(messagesOf(second.body)).toHaveLength(2);
  }, 180_000);
});
