/**
 * The seed scenario end to end through the real `olympus start` (a child process on its embedded
 * PostgreSQL, its LLM provider the scripted OpenAI-compatible server answering from the chat history):
 * a client asks for a digest, answers Hermes's follow-up with "Daily emails from my Pocket articles, every
 * morning at 7am to my inbox, budget 300 USD, within 2 weeks" and confirms; the brief names Pocket, the
 * daily 07:00 schedule, email and 300 USD; the planner's tasks cover all four roles; a TO approves the
 * plan; every task that needs the Pocket API key asks for it, one credential checkpoint opens, the TO
 * provides the value once, every such task gets its own lease; the project completes and the client gets
 * the deliverables (the notice with each task's summary and files, the report and the archive from the
 * console). Printed: model calls per phase.
 *
 * Console variant: the client writes with `olympus chat`, the TO decides with `olympus checkpoints decide`
 * (the credential with --secret-stdin). Slack variant: the client writes in a DM through signed Events API
 * requests into the real Bolt receiver, the TO presses Approve on the plan card (a signed block_actions
 * request) and provides the key in the card's modal, the completion notice reaches the project thread in
 * the DM with the workspace archive uploaded into it.
 */
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { BriefSchema, type Brief } from '../../agents/hermes/brief-schema.js';
import { findFreePort } from '../../storage/free-port.js';
import type { Checkpoint, Project, Store, Task } from '../../ports/store.js';
import { createPostgresStore } from '../../storage/postgres/postgres-store.js';
import { cleanEnv, runCli, startCli, waitForStatus, type Running } from '../support/cli-process.js';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.js';
import { startFakeSlackApi, type FakeSlackApi, type RecordedCall } from '../support/fake-slack-api.js';
import { phaseOf, seedModel } from '../support/seed-model.js';
import { postEvent, postInteraction } from '../support/slack-signing.js';
import { until } from '../support/until.js';

const SEED_REQUEST =
  'Daily emails from my Pocket articles, every morning at 7am to my inbox, budget 300 USD, within 2 weeks';
const POCKET_KEY = 'pocket-consumer-key-7Hq2Wm9Xc';
const TO_EMAIL = 'tina@ops.example.com';
const ROLES = ['apollo', 'aphrodite', 'athena', 'hephaestus'];

/** One `olympus start` on its own embedded PostgreSQL, and the same store opened by the test. */
interface Olympus {
  running: Running;
  env: NodeJS.ProcessEnv;
  cwd: string;
  base: string;
  store(): Store;
  stop(): Promise<void>;
}

async function startOlympus(llm: FakeLlmServer, extra: Record<string, string> = {}): Promise<Olympus> {
  const cwd = mkdtempSync(path.join(tmpdir(), 'olympus-seed-'));
  // As root the embedded server runs as an unprivileged user, which must be able to reach ./data.
  chmodSync(cwd, 0o755);
  const port = await findFreePort();
  const pgPort = await findFreePort();
  const env = cleanEnv({
    OLYMPUS_HTTP_PORT: String(port),
    OLYMPUS_EMBEDDED_PG_PORT: String(pgPort),
    OPENAI_API_KEY: 'sk-test-key',
    OPENAI_BASE_URL: llm.openaiBaseUrl,
    OLYMPUS_LLM_MAX_ATTEMPTS: '1',
    OLYMPUS_OPERATORS: `email:${TO_EMAIL}`,
    ...extra,
  });
  const base = `http://127.0.0.1:${port}`;
  const running = startCli(['start'], { env, cwd });
  await waitForStatus(`${base}/readyz`, 200, 60_000, running);
  const password = readFileSync(path.join(cwd, 'data', 'postgres.password'), 'utf8').trim();
  const store = createPostgresStore({
    connectionString: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/olympus`,
  });
  return {
    running,
    env,
    cwd,
    base,
    store: () => store,
    async stop() {
      await store.close();
      if (running.child.exitCode === null) {
        running.child.kill('SIGTERM');
        await running.exited;
      }
    },
  };
}

async function olympusCli(o: Olympus, args: string[], input?: string): Promise<string> {
  const result = await runCli(args, { env: o.env, cwd: o.cwd, ...(input === undefined ? {} : { input }) });
  if (result.code !== 0)
    throw new Error(`olympus ${args.join(' ')} exited ${String(result.code)}: ${result.stderr}`);
  return result.stdout;
}

function inDays(days: number): string {
  const today = new Date().toISOString().slice(0, 10);
  return new Date(Date.parse(`${today}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** The stored brief v1 of the project, checked against what the client asked for. */
async function expectSeedBrief(store: Store, project: Project): Promise<Brief> {
  const brief = BriefSchema.parse((await store.projects.getBrief(project.id, 1))!.content);
  const text = JSON.stringify(brief);
  expect(text).toContain('Pocket');
  expect(brief.integrations).toEqual(['Pocket API']);
  expect(brief.deliveryChannels).toEqual(['email']);
  expect(brief.features).toEqual([
    { name: 'Daily email of my saved Pocket articles at 07:00', priority: 'must' },
  ]);
  expect(brief.budget).toEqual({ amount: 300, currency: 'USD' });
  expect(brief.timeline.deadline).toBe(inDays(14));
  return brief;
}

/** The plan under review: the brief's feature, email and daily 07:00 items, each covered; Pocket named. */
function expectSeedPlan(review: Checkpoint): void {
  const details = review.request.details as {
    briefItems: { id: string; kind: string; text: string }[];
    tasks: { key: string; role: string; spec: string; covers: string[]; deploy: boolean }[];
  };
  expect(details.briefItems.map((item) => `${item.id} ${item.kind}`)).toEqual([
    'F1 feature',
    'D1 delivery',
    'S1 schedule',
  ]);
  expect(details.briefItems.find((item) => item.id === 'D1')!.text).toContain('email');
  expect(details.briefItems.find((item) => item.id === 'S1')!.text).toContain('daily');
  expect(details.tasks.map((task) => task.role).sort()).toEqual([...ROLES].sort());
  const byRole = (role: string) => details.tasks.find((task) => task.role === role)!;
  expect(byRole('apollo').spec).toContain('the Pocket API at getpocket.com');
  expect(byRole('athena').covers).toEqual(expect.arrayContaining(['F1', 'D1', 'S1']));
  expect(byRole('hephaestus')).toMatchObject({ deploy: true, covers: ['D1', 'S1'] });
  expect(byRole('hephaestus').spec).toContain('0 7 * * *');
}

async function pendingCheckpoint(
  store: Store,
  projectId: string,
  kind: Checkpoint['kind'],
  timeoutMs = 30_000,
): Promise<Checkpoint> {
  return until(
    async () =>
      (await store.checkpoints.list({ projectId, status: ['pending'] })).find((c) => c.kind === kind),
    timeoutMs,
  );
}

/** Tasks for the four roles, each Pocket task waiting on the one credential checkpoint. */
async function expectOneCredentialCheckpoint(
  store: Store,
  project: Project,
): Promise<{ checkpoint: Checkpoint; tasks: Task[] }> {
  // The approval's job creates the plan's tasks.
  const tasks = await until(async () => {
    const created = await store.tasks.listByProject(project.id);
    return created.length >= ROLES.length ? created : null;
  });
  expect(tasks.map((task) => task.role).sort()).toEqual([...ROLES].sort());
  // The two tasks with nothing before them (Apollo's and Aphrodite's) both ask, and wait on one request.
  const first = tasks.filter((task) => task.dependsOn.length === 0);
  expect(first.length).toBeGreaterThanOrEqual(2);
  const checkpoint = await until(async () => {
    const found = (await store.checkpoints.list({ projectId: project.id })).filter(
      (c) => c.kind === 'credential',
    );
    const waiting = await Promise.all(first.map((task) => store.tasks.get(task.id)));
    return found[0] && waiting.every((task) => task?.status === 'waiting_checkpoint') ? found[0] : null;
  });
  const latest = (await store.checkpoints.get(checkpoint.id))!;
  expect(latest.request.details).toMatchObject({
    service: 'Pocket',
    serviceKey: 'pocket',
    host: 'getpocket.com',
    credential: 'pocket_consumer_key',
  });
  expect(latest.waiters.map((waiter) => waiter.taskId).sort()).toEqual(first.map((task) => task.id).sort());
  return { checkpoint: latest, tasks };
}

/** After the value was provided once: one checkpoint, a lease per task, the waiting tasks resumed. */
async function expectLeasesAndResumes(
  store: Store,
  project: Project,
  checkpoint: Checkpoint,
  tasks: Task[],
): Promise<void> {
  const credentialCheckpoints = (await store.checkpoints.list({ projectId: project.id })).filter(
    (c) => c.kind === 'credential',
  );
  expect(credentialCheckpoints.map((c) => c.id)).toEqual([checkpoint.id]);
  // Every task of the plan names Pocket: each holds its own lease on the one checkpoint, one version.
  const leases = await store.secretLeases.listByCheckpoint(checkpoint.id);
  expect(leases.map((lease) => lease.taskId).sort()).toEqual(tasks.map((task) => task.id).sort());
  expect(new Set(leases.map((lease) => lease.secretVersion)).size).toBe(1);
  const issued = (await store.audit.list()).filter(
    (event) => event.action === 'secret.lease_issued' && event.data.checkpointId === checkpoint.id,
  );
  expect(issued.map((event) => event.subjectId).sort()).toEqual(tasks.map((task) => task.id).sort());
  for (const waiter of checkpoint.waiters) {
    const resumed = (await store.audit.list({ subjectId: waiter.taskId })).filter(
      (event) => event.action === 'task.resumed',
    );
    expect(resumed).toHaveLength(1);
    expect(resumed[0]!.data).toMatchObject({ checkpointId: checkpoint.id });
  }
  // Tasks that asked after the value was there got their lease at once, without waiting.
  for (const task of tasks.filter((t) => !checkpoint.waiters.some((w) => w.taskId === t.id))) {
    const actions = (await store.audit.list({ subjectId: task.id })).map((event) => event.action);
    expect(actions).not.toContain('task.waiting');
  }
}

/** The deliverables: the completion text lists each task's summary and files; the console serves both. */
async function expectDeliverables(o: Olympus, project: Project, notice: string): Promise<void> {
  const tasks = await o.store().tasks.listByProject(project.id);
  expect(notice).toContain(`"${project.title}" is complete`);
  const report = (await (
    await fetch(`${o.base}/api/console/projects/${project.id}/deliverables`)
  ).json()) as { status: string; tasks: { key: string; summary: string | null; files: string[] }[] };
  expect(report.status).toBe('completed');
  expect(report.tasks.map((task) => task.key).sort()).toEqual(tasks.map((task) => task.key).sort());
  for (const task of report.tasks) {
    expect(task.summary).toMatch(/done with the Pocket consumer key leased to this task; wrote /);
    expect(task.files).toHaveLength(1);
    expect(notice).toContain(task.summary!);
    expect(notice).toContain(task.files[0]!);
  }
  const archive = await fetch(`${o.base}/api/console/projects/${project.id}/workspace.tar.gz`);
  expect(archive.status).toBe(200);
  expect(archive.headers.get('content-type')).toContain('application/gzip');
  const tar = gunzipSync(Buffer.from(await archive.arrayBuffer())).toString('latin1');
  for (const task of report.tasks) expect(tar).toContain(task.files[0]!);
}

/** Model calls per phase, from the requests the scripted server recorded. */
function printModelCalls(llm: FakeLlmServer, label: string): Record<string, number> {
  const counts: Record<string, number> = { intake: 0, planning: 0, agents: 0, other: 0 };
  for (const request of llm.chatRequests()) counts[phaseOf(request.body)]! += 1;
  // eslint-disable-next-line no-console
  console.log(
    `seed scenario (${label}) model calls: intake ${counts.intake}, planning ${counts.planning}, agents ${counts.agents}${counts.other ? `, other ${counts.other}` : ''}`,
  );
  return counts;
}

describe('the seed scenario through `olympus start` and the console', () => {
  let llm: FakeLlmServer;
  let o: Olympus;

  beforeAll(async () => {
    llm = await startFakeLlmServer();
    llm.respond(seedModel());
    o = await startOlympus(llm);
  }, 90_000);

  afterAll(async () => {
    await o?.stop();
    await llm?.close();
  }, 30_000);

  test('digest request → brief → plan approved → one Pocket credential, leased to every task → completed with deliverables', async () => {
    const store = o.store();
    const chat = async (text: string) =>
      JSON.parse(await olympusCli(o, ['chat', '--as', 'alice@example.com', '--json', text])) as {
        reply: string;
        state: string;
        conversationId: string;
        projectId?: string;
      };

    const opening = await chat('I need a digest');
    expect(opening.state).toBe('collecting');
    expect(opening.reply).toMatch(/\?/);
    const detailed = await chat(SEED_REQUEST);
    expect(detailed.state).toBe('confirming');
    expect(detailed.reply).toContain('Is this right?');
    expect(detailed.reply).toContain('Budget: 300 USD');
    const confirmed = await chat('Yes, that is right');
    expect(confirmed.state).toBe('handed_off');
    const project = (await store.projects.get(confirmed.projectId!))!;
    expect(project.title).toBe('Pocket Digest');
    await expectSeedBrief(store, project);

    const review = await pendingCheckpoint(store, project.id, 'plan_review');
    expectSeedPlan(review);
    await olympusCli(o, ['checkpoints', 'decide', review.id, 'approve', '--as', TO_EMAIL]);

    const { checkpoint, tasks } = await expectOneCredentialCheckpoint(store, project);
    await olympusCli(
      o,
      ['checkpoints', 'decide', checkpoint.id, 'approve', '--as', TO_EMAIL, '--secret-stdin'],
      POCKET_KEY,
    );

    await until(async () => (await store.projects.get(project.id))?.status === 'completed', 90_000);
    await expectLeasesAndResumes(store, project, checkpoint, tasks);

    const notice = await until(async () =>
      (await store.conversations.get(confirmed.conversationId))?.messages.find(
        (message) => message.from === 'hermes' && message.text.includes('is complete'),
      ),
    );
    await expectDeliverables(o, project, notice.text);
    // The key reached no model and no log line.
    for (const request of llm.chatRequests()) expect(JSON.stringify(request.body)).not.toContain(POCKET_KEY);
    expect(o.running.output()).not.toContain(POCKET_KEY);

    const counts = printModelCalls(llm, 'console');
    expect(counts.intake).toBe(3);
    expect(counts.planning).toBe(1);
    expect(counts.agents).toBeGreaterThanOrEqual(12);
  }, 180_000);
});

const SLACK_SECRET = 'seed-scenario-signing-secret';
const OPS = 'C0OPS';
const SLACK_TO = 'U0TOA';
const SLACK_CLIENT = 'U0POCKET';
const DM = 'D0POCKET';

interface Button {
  action_id: string;
  value: string;
}

function buttonsOf(call: RecordedCall): Button[] {
  const blocks = (call.params.blocks ?? []) as Array<{ type: string; elements?: Button[] }>;
  return blocks.flatMap((block) => (block.type === 'actions' ? (block.elements ?? []) : []));
}

describe('the seed scenario through `olympus start` and Slack', () => {
  let llm: FakeLlmServer;
  let slack: FakeSlackApi;
  let o: Olympus;
  let sequence = 0;

  beforeAll(async () => {
    llm = await startFakeLlmServer();
    llm.respond(seedModel());
    slack = await startFakeSlackApi();
    o = await startOlympus(llm, {
      SLACK_BOT_TOKEN: 'xoxb-seed-scenario-token',
      SLACK_SIGNING_SECRET: SLACK_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SLACK_OPS_CHANNEL: OPS,
      SLACK_TO_USERS: SLACK_TO,
    });
  }, 90_000);

  afterAll(async () => {
    await o?.stop();
    await slack?.close();
    await llm?.close();
  }, 30_000);

  const events = () => `${o.base}/slack/events`;

  /** The client writes in the DM (top level, or in the thread `root`); resolves with Hermes's reply. */
  async function say(text: string, root?: string): Promise<{ ts: string; reply: string }> {
    sequence += 1;
    const ts = `${Math.floor(Date.now() / 1000)}.${String(sequence).padStart(6, '0')}`;
    const event = {
      token: 'x',
      team_id: 'T0001',
      api_app_id: 'A0001',
      type: 'event_callback',
      event_id: `EvSeed${sequence}`,
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: 'message',
        channel_type: 'im',
        channel: DM,
        user: SLACK_CLIENT,
        text,
        ts,
        ...(root ? { thread_ts: root } : {}),
        event_ts: ts,
      },
    };
    expect((await postEvent(events(), event, { secret: SLACK_SECRET })).status).toBe(200);
    const reply = await slack.waitFor(
      (call) =>
        call.method === 'chat.postMessage' &&
        JSON.stringify(call.params.metadata ?? '').includes(`slack.reply:${DM}:${ts}`),
      30_000,
    );
    return { ts, reply: String(reply.params.text) };
  }

  /** The button `action` of the newest card Olympus posted or updated for a checkpoint, and the card's ts. */
  async function cardOf(checkpoint: Checkpoint, action: string): Promise<{ button: Button; ts: string }> {
    const card = await until(async () => (await o.store().checkpoints.get(checkpoint.id))?.cards[0]);
    const buttonOf = (call: RecordedCall) =>
      call.method === 'chat.postMessage' || call.method === 'chat.update'
        ? buttonsOf(call).find(
            (button) => button.action_id === action && button.value.startsWith(`${checkpoint.id}:`),
          )
        : undefined;
    await slack.waitFor((call) => buttonOf(call) !== undefined, 30_000);
    const button = [...slack.calls].reverse().map(buttonOf).find(Boolean)!;
    expect(button.value).toBe(`${checkpoint.id}:${checkpoint.request.actionHash}`);
    return { button, ts: card.messageId };
  }

  /** What Slack sends when the TO presses a card's button. */
  function press(button: Button, ts: string) {
    sequence += 1;
    return {
      type: 'block_actions',
      token: 'x',
      api_app_id: 'A0001',
      trigger_id: `trigger-seed-${sequence}`,
      team: { id: 'T0001', domain: 'olympus' },
      user: { id: SLACK_TO, username: 'tina', team_id: 'T0001' },
      channel: { id: OPS, name: 'ops' },
      container: { type: 'message', message_ts: ts, channel_id: OPS },
      message: { type: 'message', ts, text: 'card' },
      actions: [
        {
          type: 'button',
          action_id: button.action_id,
          block_id: `checkpoint:${button.value.split(':')[0]}`,
          value: button.value,
          action_ts: `${Math.floor(Date.now() / 1000)}.${sequence}`,
        },
      ],
    };
  }

  test('a Slack DM → brief → Approve pressed on the plan card → the key given once in the modal → completion notice in the project thread', async () => {
    const store = o.store();
    const opening = await say('I need a digest');
    expect(opening.reply).toMatch(/\?/);
    const detailed = await say(SEED_REQUEST, opening.ts);
    expect(detailed.reply).toContain('Is this right?');
    await say('Yes, that is right', opening.ts);

    const project = await until(async () => {
      const found = await store.projects.getByKey('pocket-digest');
      return found && found.threads.length > 0 ? found : null;
    });
    expect(project.threads).toEqual([{ surface: 'slack', channel: DM, threadKey: expect.any(String) }]);
    await expectSeedBrief(store, project);

    const review = await pendingCheckpoint(store, project.id, 'plan_review');
    expectSeedPlan(review);
    const plan = await cardOf(review, 'checkpoint.approve');
    expect(
      (await postInteraction(events(), press(plan.button, plan.ts), { secret: SLACK_SECRET })).status,
    ).toBe(200);
    await until(async () => (await store.checkpoints.get(review.id))?.status === 'approved');

    const { checkpoint, tasks } = await expectOneCredentialCheckpoint(store, project);
    const provide = await cardOf(checkpoint, 'checkpoint.provide_credential');
    expect(
      (await postInteraction(events(), press(provide.button, provide.ts), { secret: SLACK_SECRET })).status,
    ).toBe(200);
    const opened = await slack.waitFor((call) => call.method === 'views.open', 30_000);
    const view = opened.params.view as {
      callback_id: string;
      private_metadata: string;
    };
    sequence += 1;
    const submitted = await postInteraction(
      events(),
      {
        type: 'view_submission',
        team: { id: 'T0001' },
        user: { id: SLACK_TO },
        view: {
          id: `VSEED${sequence}`,
          callback_id: view.callback_id,
          private_metadata: view.private_metadata,
          state: { values: { credential: { value: { type: 'plain_text_input', value: POCKET_KEY } } } },
        },
      },
      { secret: SLACK_SECRET },
    );
    expect(submitted.status).toBe(200);

    await until(async () => (await store.projects.get(project.id))?.status === 'completed', 90_000);
    await expectLeasesAndResumes(store, project, checkpoint, tasks);

    // The completion notice reaches the project thread in the client's DM.
    const thread = project.threads[0]!.threadKey;
    const notice = await slack.waitFor(
      (call) =>
        call.method === 'chat.postMessage' &&
        call.params.channel === DM &&
        call.params.thread_ts === thread &&
        String(call.params.text).includes('is complete'),
      30_000,
    );
    await expectDeliverables(o, project, String(notice.params.text));
    // The workspace archive was uploaded into that thread, the same bytes the console serves.
    const uploaded = await until(() =>
      Promise.resolve(slack.uploads(DM).find((file) => file.filename === `${project.key}-workspace.tar.gz`)),
    );
    expect(uploaded.threadTs).toBe(thread);
    const served = await fetch(`${o.base}/api/console/projects/${project.id}/workspace.tar.gz`);
    const servedTar = gunzipSync(Buffer.from(await served.arrayBuffer()));
    expect(gunzipSync(uploaded.data).equals(servedTar)).toBe(true);
    for (const request of llm.chatRequests()) expect(JSON.stringify(request.body)).not.toContain(POCKET_KEY);
    expect(JSON.stringify(slack.calls)).not.toContain(POCKET_KEY);
    expect(o.running.output()).not.toContain(POCKET_KEY);

    const counts = printModelCalls(llm, 'Slack');
    expect(counts.intake).toBe(3);
    expect(counts.planning).toBe(1);
  }, 180_000);
});
