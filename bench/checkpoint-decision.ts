/**
 * A TO's button press, end to end: a signed `block_actions` Approve into the Slack receiver → decision
 * stored (compare-and-set, audit) → card updated at Slack (`chat.update` arrives at a loopback Web API)
 * → `task.resume` started (the decision enqueues it itself for the parked task, one job hop; the job
 * applies the decision's budget effects first, as in production). One press at a time, in a quiet
 * channel (no pacing wait), against the real receiver, listeners, scheduler (PostgreSQL notifications),
 * card sync and budget decisions. Presses go out like the Bolt acks of the floor (slack-ack.ts): signed,
 * on a kept-alive node:http socket (signed-post.ts), so the ratio compares the same client cost.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpApp, finishHttpApp, startHttpServer } from '../bot/http.js';
import { cardValue } from '../bot/slack/checkpoint-card.js';
import type { SlackSettings } from '../bot/slack/slack-settings.js';
import { createSilentLogger } from '../common/logging/logger.js';
import { BudgetDecisions } from '../orchestration/budget/budget-decisions.js';
import { openCheckpoint } from '../orchestration/checkpoints/open-checkpoint.js';
import { jobCatalogue, type OrchestratorJobs } from '../orchestration/jobs/job-catalogue.js';
import { JOB_NAMES } from '../ports/job-queue.js';
import { createJobQueue } from '../bot/wiring/job-queue.js';
import { wireSlackCheckpointCards, wireSlackSurface } from '../bot/wiring/slack.js';
import type { AgendaJobQueue } from '../storage/agenda/agenda-job-queue.js';
import type { Checkpoint, Store } from '../ports/store.js';
import { startBareAgenda, type BareAgenda } from './bare-agenda.js';
import { startBareBolt } from './bare-bolt.js';
import { postSigned, type SignedRequest } from './signed-post.js';
import { summarise, type Summary } from './stats.js';

const SECRET = 'bench-decision-secret';
const TO = 'U0TOBENCH';
const OPS = 'C0OPSBENCH';
const logger = createSilentLogger();

/** A Web API that answers ok, gives each post its own ts, and notes when each card's update arrives. */
async function startSlackApi(updated: Map<string, number>): Promise<{ url: string; server: Server }> {
  let counter = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/api\//, '');
      const params = new URLSearchParams(body);
      let reply: Record<string, unknown> = { ok: true, user_id: 'U0BOT', bot_id: 'B0BOT', team_id: 'T0B' };
      if (method === 'chat.postMessage') {
        counter += 1;
        reply = {
          ok: true,
          channel: params.get('channel'),
          ts: `1700000000.${String(counter).padStart(6, '0')}`,
        };
      } else if (method === 'chat.update') {
        const ts = params.get('ts') ?? '';
        if (!updated.has(ts)) updated.set(ts, performance.now());
        reply = { ok: true, channel: params.get('channel'), ts };
      } else if (method === 'conversations.history' || method === 'conversations.replies') {
        reply = { ok: true, messages: [], has_more: false };
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`, server };
}

const PRESS: SignedRequest = { signingSecret: SECRET, contentType: 'application/x-www-form-urlencoded' };

/** An interaction as Slack sends it: the payload JSON in a form field. */
function formBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

function approve(checkpoint: Checkpoint, cardTs: string, n: number) {
  return {
    type: 'block_actions',
    token: 'x',
    api_app_id: 'A0B',
    trigger_id: `trigger-${n}`,
    team: { id: 'T0B', domain: 'bench' },
    user: { id: TO, username: TO, team_id: 'T0B' },
    channel: { id: OPS, name: 'ops' },
    container: { type: 'message', message_ts: cardTs, channel_id: OPS },
    message: { type: 'message', ts: cardTs, text: 'card' },
    actions: [
      {
        type: 'button',
        action_id: 'checkpoint.approve',
        block_id: `checkpoint:${checkpoint.id}`,
        value: cardValue(checkpoint),
        action_ts: `${Date.now() / 1000}.${n}`,
      },
    ],
  };
}

async function waitFor<T>(probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('benchmark step did not happen in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export interface DecisionBench {
  /** Press → task.resume started. */
  toResume: Summary;
  /** Press → chat.update at Slack. */
  toCard: Summary;
  /** `checkpoint.decided` jobs started for these presses (0: every decision went straight to `task.resume`). */
  decidedJobs: number;
  /** Press → HTTP ack. */
  ack: Summary;
  /**
   * The floor, sampled in turn with the presses: a bare Bolt app's ack of the same signed press, then two
   * bare Agenda job starts one after the other (enqueue → handler start, twice). The order swaps every
   * round (floor, press | press, floor | …), so a slower spell of the machine weighs on both alike, and each
   * side has half its samples right after a press (whose card job is still finishing) and half right after
   * a floor sample.
   */
  floor: Summary;
}

/** One floor sample: the bare Bolt ack of `body`, then two bare Agenda hops in a row. */
async function floorSample(bolt: URL, agenda: BareAgenda, round: number, body: string): Promise<number> {
  const sent = performance.now();
  const status = await postSigned(bolt, body, PRESS);
  if (status !== 200) throw new Error(`bare Bolt answered ${status}`);
  const hops = [2 * round, 2 * round + 1];
  for (const hop of hops) {
    await agenda.enqueue(hop);
    await waitFor(() => agenda.started.get(hop));
  }
  return agenda.started.get(hops[1]!)! - sent;
}

export async function benchCheckpointDecision(
  store: Store,
  connectionString: string,
  rounds: number,
): Promise<DecisionBench> {
  const updated = new Map<string, number>();
  let decidedJobs = 0;
  const resumedAt = new Map<string, number>();
  const api = await startSlackApi(updated);
  const settings: SlackSettings = {
    botToken: 'xoxb-bench-decision',
    signingSecret: SECRET,
    apiUrl: api.url,
    opsChannel: OPS,
    toUsers: [TO],
    postIntervalMs: 0,
  };
  let scheduler: AgendaJobQueue | null = null;
  const orchestrator: OrchestratorJobs = {
    planProject: () => Promise.resolve(),
    runTask: () => Promise.resolve(),
    sweep: () => Promise.resolve(),
    concurrency: () => 4,
    taskRetries: 0,
    async checkpointDecided(checkpointId) {
      decidedJobs += 1;
      const checkpoint = await store.checkpoints.get(checkpointId);
      if (checkpoint?.taskId) {
        await scheduler!.enqueue(JOB_NAMES.taskResume, { taskId: checkpoint.taskId, checkpointId });
      }
    },
    resumeTask(_taskId, checkpointId) {
      resumedAt.set(checkpointId, performance.now());
      return Promise.resolve();
    },
  };
  scheduler = createJobQueue({
    store,
    logger,
    settings: { processEvery: '5 seconds', maxConcurrency: 20, lockLimit: 50, lockLifetimeMs: 60_000 },
    shutdownTimeoutMs: 2000,
    catalogue: jobCatalogue({
      store,
      logger,
      checkpointCards: wireSlackCheckpointCards({ settings, store, logger }),
      orchestrator,
      budget: new BudgetDecisions({
        store,
        jobs: { enqueue: (name, payload) => scheduler!.enqueue(name, payload) },
      }),
    }),
    work: true,
  });
  const httpOptions = { host: '127.0.0.1', port: 0, logger, readiness: [] };
  const app = createHttpApp(httpOptions);
  const surface = wireSlackSurface({ settings, store, jobs: scheduler, logger, app });
  finishHttpApp(app, logger);
  const http = await startHttpServer(app, httpOptions);
  await scheduler.start();
  await surface.start();
  const floorBolt = await startBareBolt({ signingSecret: SECRET, apiUrl: api.url, listen: 'actions' });
  const floorAgenda = await startBareAgenda(connectionString, 'bench.floor');
  try {
    const owner = await store.identities.create({ displayName: 'Bench client' });
    const { project } = await store.projects.create({
      key: `bench-decisions-${Date.now()}`,
      title: 'Bench decisions',
      ownerId: owner.id,
      brief: {},
      createdBy: owner.id,
      status: 'active',
    });
    const total = rounds + 5;
    const tasks = await store.tasks.createMany(
      project.id,
      Array.from({ length: total }, (_, i) => ({
        key: `t${i}`,
        role: 'apollo' as const,
        title: `Task ${i}`,
        spec: 'bench',
        status: 'waiting_checkpoint' as const,
      })),
    );
    const opened: Array<{ checkpoint: Checkpoint; ts: string }> = [];
    for (const task of tasks) {
      const checkpoint = await openCheckpoint({
        store,
        jobs: scheduler,
        checkpoint: {
          projectId: project.id,
          taskId: task.id,
          kind: 'deploy',
          requestedBy: 'hephaestus',
          request: { title: `Deploy ${task.key}`, summary: 'Ship it.', details: { task: task.key } },
        },
      });
      const ts = await (async () => {
        for (;;) {
          const card = (await store.checkpoints.get(checkpoint.id))?.cards[0];
          if (card) return card.messageId;
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      opened.push({ checkpoint, ts });
    }
    const events = new URL(`${http.url}/slack/events`);
    const bareBolt = new URL(floorBolt.url);
    const toResume: number[] = [];
    const toCard: number[] = [];
    const ack: number[] = [];
    const floor: number[] = [];
    let n = 0;
    for (const { checkpoint, ts } of opened) {
      n += 1;
      const body = formBody(approve(checkpoint, ts, n));
      const press = async () => {
        const sent = performance.now();
        const status = await postSigned(events, body, PRESS);
        ack.push(performance.now() - sent);
        if (status !== 200) throw new Error(`press answered ${status}`);
        const resumed = await waitFor(() => resumedAt.get(checkpoint.id));
        const cardAt = await waitFor(() => updated.get(ts));
        toResume.push(resumed - sent);
        toCard.push(cardAt - sent);
      };
      const floorTurn = async () => floor.push(await floorSample(bareBolt, floorAgenda, n, body));
      for (const turn of n % 2 === 0 ? [press, floorTurn] : [floorTurn, press]) await turn();
    }
    const warm = (samples: number[]) => summarise(samples.slice(5));
    return {
      toResume: warm(toResume),
      toCard: warm(toCard),
      decidedJobs,
      ack: warm(ack),
      floor: warm(floor),
    };
  } finally {
    await surface.stop();
    await http.close();
    await scheduler.stop();
    await floorAgenda.stop();
    await floorBolt.close();
    await new Promise((resolve) => api.server.close(resolve));
  }
}
