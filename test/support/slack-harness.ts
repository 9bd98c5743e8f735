/**
 * The Slack surface as tests drive it: an embedded PostgreSQL store, a recording fake Slack Web API, a
 * real job scheduler with the checkpoint card job, and the real Bolt receiver on an Olympus HTTP server.
 */
import { createHttpApp, finishHttpApp, startHttpServer, type RunningHttpServer } from '../../bot/http.js';
import type { ClientIntake } from '../../bot/slack/client-messages.js';
import type { SlackSurface } from '../../bot/slack/slack-surface.js';
import type { SlackSettings } from '../../bot/slack/slack-settings.js';
import { wireSlackCheckpointCards, wireSlackReminders, wireSlackSurface } from '../../bot/wiring/slack.js';
import type { Logger } from '../../common/logging/logger.js';
import { DeferredJobQueue } from '../../orchestration/deferred-job-queue.js';
import { jobCatalogue } from '../../orchestration/jobs/job-catalogue.js';
import type { Vault } from '../../ports/vault.js';
import { createJobQueue } from '../../bot/wiring/job-queue.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import type { Store } from '../../ports/store.js';
import { startEmbeddedStore, type EmbeddedStore } from './embedded-store.js';
import { startFakeSlackApi, type FakeSlackApi } from './fake-slack-api.js';

export const SLACK_TEST_SECRET = 'test-signing-secret';
export const SLACK_TEST_OPS = 'C0OPS';

export interface SlackHarness {
  db: EmbeddedStore;
  fake: FakeSlackApi;
  scheduler: AgendaJobQueue;
  surface: SlackSurface;
  http: RunningHttpServer;
  settings: SlackSettings;
  /** `POST` target for signed Slack requests. */
  url: string;
  teardown(): Promise<void>;
}

export async function startSlackHarness(options: {
  toUsers: string[];
  logger: Logger;
  intake?: (store: Store) => ClientIntake;
  /** Overrides of the Slack settings (reminder times, user groups, pacing…). */
  settings?: Partial<SlackSettings>;
  /** How often the `checkpoint.remind` sweep runs when `settings.reminders` is given. */
  remindEvery?: string;
  vault?: Vault;
  /** Runs once the fake Web API is up, before the surface starts (e.g. to set the Socket Mode URL). */
  beforeStart?: (fake: FakeSlackApi) => void | Promise<void>;
}): Promise<SlackHarness> {
  const { logger } = options;
  const db = await startEmbeddedStore();
  const fake = await startFakeSlackApi();
  await options.beforeStart?.(fake);
  const settings: SlackSettings = {
    botToken: 'xoxb-test',
    signingSecret: SLACK_TEST_SECRET,
    apiUrl: fake.apiUrl,
    opsChannel: SLACK_TEST_OPS,
    toUsers: options.toUsers,
    retries: 0,
    // Slack's per-channel pace is about 1/s; tests pace faster so cards and updates do not queue up.
    postIntervalMs: 100,
    ...options.settings,
  };
  const store = db.store;
  const jobs = new DeferredJobQueue();
  const reminders = settings.reminders
    ? wireSlackReminders({
        settings,
        times: settings.reminders,
        store,
        jobs,
        logger,
        ...(options.remindEvery ? { every: options.remindEvery } : {}),
      })
    : undefined;
  const scheduler = createJobQueue({
    store,
    logger,
    settings: { processEvery: '1 second', maxConcurrency: 10, lockLimit: 10, lockLifetimeMs: 60_000 },
    shutdownTimeoutMs: 5000,
    catalogue: jobCatalogue({
      store,
      logger,
      checkpointCards: wireSlackCheckpointCards({ settings, store, logger }),
      ...(reminders ? { checkpointReminders: reminders } : {}),
    }),
    work: true,
  });
  jobs.bind(scheduler);
  const httpOptions = { host: '127.0.0.1', port: 0, logger, readiness: [] };
  const app = createHttpApp(httpOptions);
  const intake = options.intake?.(store);
  const surface = wireSlackSurface({
    settings,
    store,
    jobs: scheduler,
    logger,
    app,
    ...(intake ? { intake } : {}),
    ...(options.vault ? { vault: options.vault } : {}),
  });
  finishHttpApp(app, logger);
  const http = await startHttpServer(app, httpOptions);
  await scheduler.start();
  await surface.start();
  return {
    db,
    fake,
    scheduler,
    surface,
    http,
    settings,
    url: `${http.url}/slack/events`,
    async teardown() {
      await surface.stop();
      await http.close();
      await scheduler.stop();
      await fake.close();
      await db.teardown();
    },
  };
}
