/**
 * The Slack side of Olympus in this process, for the reliability tests: an embedded PostgreSQL, the
 * recording fake Slack Web API behind a fault proxy, the real job scheduler (checkpoint cards), the real
 * Bolt receiver on an Olympus HTTP server, and Hermes's intake (guided brain). Logs are production JSON
 * with secrets redacted, captured for the canary check; the bot token is the canary.
 */
import { GuidedIntakeBrain } from '../../agents/hermes/guided-intake.js';
import type { IntakeBrain } from '../../agents/hermes/intake-brain.js';
import { createHttpApp, finishHttpApp, startHttpServer, type RunningHttpServer } from '../../bot/http.js';
import type { SlackSurface } from '../../bot/slack/slack-surface.js';
import type { SlackSettings } from '../../bot/slack/slack-settings.js';
import type { Logger } from '../../common/logging/logger.js';
import type { JobQueue } from '../../ports/job-queue.js';
import type { ClientRateLimiter } from '../../handlers/intake/client-rate-limit.js';
import { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
import { jobCatalogue } from '../../orchestration/jobs/job-catalogue.js';
import { createJobQueue } from '../../bot/wiring/job-queue.js';
import { wireSlackCheckpointCards, wireSlackSurface } from '../../bot/wiring/slack.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import type { Checkpoint, Store } from '../../ports/store.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.js';
import { startSlackFaultProxy, type SlackFaultProxy } from '../support/fake-slack-faults.js';
import { capturingLogger } from './invariants.js';

export const RIG_SECRET = 'reliability-signing-secret';
export const RIG_OPS = 'C0OPS';
export const RIG_TO = 'U0TOREL';
/** The bot token doubles as the canary: it must never reach a log line or a table. */
export const RIG_CANARY = 'xoxb-canary-7f3a9c2e51d84b06';

export interface SlackRig {
  db: EmbeddedStore;
  fake: FakeSlackApi;
  faults: SlackFaultProxy;
  scheduler: AgendaJobQueue;
  surface: SlackSurface;
  intake: ClientMessageHandler;
  logger: Logger;
  logs: string[];
  url: string;
  teardown(): Promise<void>;
}

export interface SlackRigOptions {
  /** Builds the intake's rate limiter on the rig's store. */
  rateLimiter?: (store: Store) => ClientRateLimiter;
  /** Builds the intake brain; default the guided one. */
  brain?: (store: Store, logger: Logger) => IntakeBrain;
  /** Wraps the queue the Slack surface enqueues into (fault injection); default the scheduler itself. */
  jobQueue?: (scheduler: AgendaJobQueue) => JobQueue;
  /** Extra secrets the captured logs redact (and the canary check looks for). */
  secrets?: string[];
  /** A store to use instead of a fresh embedded one (the rig tears it down). */
  db?: EmbeddedStore;
}

/** A project with one task, for checkpoints to belong to. */
export async function seedProject(store: Store, key: string): Promise<{ projectId: string; taskId: string }> {
  const owner = await store.identities.create({ displayName: `Client of ${key}` });
  const { project } = await store.projects.create({
    key,
    title: `Project ${key}`,
    ownerId: owner.id,
    budget: { amount: 500, currency: 'USD' },
    brief: {},
    createdBy: owner.id,
  });
  const [task] = await store.tasks.createMany(project.id, [
    { key: 'api', role: 'apollo', title: 'Build the API', spec: 'REST API' },
  ]);
  return { projectId: project.id, taskId: task!.id };
}

export async function startSlackRig(options: SlackRigOptions = {}): Promise<SlackRig> {
  const { logger, lines } = capturingLogger([RIG_CANARY, RIG_SECRET, ...(options.secrets ?? [])]);
  const db = options.db ?? (await startEmbeddedStore());
  const fake = await startFakeSlackApi();
  const faults = await startSlackFaultProxy(fake.apiUrl);
  const settings: SlackSettings = {
    botToken: RIG_CANARY,
    signingSecret: RIG_SECRET,
    apiUrl: faults.apiUrl,
    opsChannel: RIG_OPS,
    toUsers: [RIG_TO],
    retries: 0,
    timeoutMs: 5000,
    postIntervalMs: 20,
  };
  const store = db.store;
  const scheduler = createJobQueue({
    store,
    logger,
    settings: { processEvery: '1 second', maxConcurrency: 10, lockLimit: 10, lockLifetimeMs: 15_000 },
    shutdownTimeoutMs: 5000,
    catalogue: jobCatalogue({
      store,
      logger,
      checkpointCards: wireSlackCheckpointCards({ settings, store, logger }),
    }),
    work: true,
  });
  const intake = new ClientMessageHandler({
    store,
    brain: options.brain?.(store, logger) ?? new GuidedIntakeBrain(),
    logger,
    ...(options.rateLimiter ? { rateLimiter: options.rateLimiter(store) } : {}),
  });
  const httpOptions = { host: '127.0.0.1', port: 0, logger, readiness: [] };
  const app = createHttpApp(httpOptions);
  const surface: SlackSurface = wireSlackSurface({
    settings,
    store,
    jobs: options.jobQueue?.(scheduler) ?? scheduler,
    logger,
    app,
    intake,
  });
  finishHttpApp(app, logger);
  const http: RunningHttpServer = await startHttpServer(app, httpOptions);
  await scheduler.start();
  await surface.start();
  return {
    db,
    fake,
    faults,
    scheduler,
    surface,
    intake,
    logger,
    logs: lines,
    url: `${http.url}/slack/events`,
    async teardown() {
      faults.releaseAll();
      await surface.stop();
      await http.close();
      await scheduler.stop();
      await faults.close();
      await fake.close();
      await db.teardown();
    },
  };
}

/** A client's DM as Slack's Events API delivers it. */
export function directMessage(
  eventId: string,
  ts: string,
  text: string,
  user = 'U0CLIENT',
  channel = 'D0REL',
) {
  return {
    type: 'event_callback',
    team_id: 'T0001',
    api_app_id: 'A0001',
    event_id: eventId,
    event_time: Math.floor(Number(ts)),
    event: { type: 'message', channel_type: 'im', channel, user, text, ts, event_ts: ts },
  };
}

let pressed = 0;

/** An Approve press on a checkpoint's card, and the inbox key it is stored under. */
export function approvePress(
  checkpoint: Pick<Checkpoint, 'id' | 'request'>,
  cardTs: string,
  user: string,
  channel = RIG_OPS,
) {
  pressed += 1;
  const actionTs = `1700003000.${String(pressed).padStart(6, '0')}`;
  const payload = {
    type: 'block_actions',
    token: 'x',
    api_app_id: 'A0001',
    trigger_id: `trigger-crash-${pressed}`,
    team: { id: 'T0001', domain: 'olympus' },
    user: { id: user, username: user, team_id: 'T0001' },
    channel: { id: channel, name: 'ops' },
    container: { type: 'message', message_ts: cardTs, channel_id: channel },
    message: { type: 'message', ts: cardTs, text: 'card' },
    actions: [
      {
        type: 'button',
        action_id: 'checkpoint.approve',
        block_id: `checkpoint:${checkpoint.id}`,
        value: `${checkpoint.id}:${checkpoint.request.actionHash}`,
        action_ts: actionTs,
      },
    ],
  };
  return { payload, key: `slack:action:T0001:${user}:${actionTs}:checkpoint.approve` };
}
