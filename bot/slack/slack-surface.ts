/**
 * The Slack surface: a Bolt app whose receiver is mounted on the Olympus HTTP app at POST /slack/events.
 * Creating it only mounts the route (no I/O); `start()` makes the configured TOs identities, verifies the
 * token (auth.test) and opens the route; `stop()` closes it.
 */
import bolt from '@slack/bolt';
import type { App } from '@slack/bolt';
import type { Express } from 'express';
import { OlympusError, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { JobQueue } from '../../handlers/checkpoints/job-queue.js';
import type { Store } from '../../storage/ports.js';
import { registerCheckpointListeners } from './checkpoint-listeners.js';
import { registerClientMessageListeners, type ClientIntake } from './client-messages.js';
import { slackClientOptions } from './slack-client.js';
import { ensureTechnicalOperators } from './slack-identities.js';
import { slackLogger } from './slack-logger.js';
import { SLACK_EVENTS_PATH, SlackHttpReceiver, type SurfaceMetrics } from './slack-receiver.js';
import type { SlackSettings } from './slack-settings.js';

export interface SlackSurfaceOptions {
  settings: SlackSettings;
  store: Store;
  /** Enqueues jobs (card updates); the JobScheduler. */
  scheduler: JobQueue;
  logger: Logger;
  /** The Olympus express app; the route is added before `finishHttpApp`. */
  app: Express;
  /** Where client DMs go (the ClientMessageHandler); without it DMs are stored and logged only. */
  intake?: ClientIntake;
  metrics?: SurfaceMetrics;
}

export interface SlackSurface {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSlackSurface(options: SlackSurfaceOptions): SlackSurface {
  const { settings, store, scheduler } = options;
  const logger = options.logger.child({ component: 'slack' });
  if (!settings.signingSecret) {
    throw new OlympusError(
      'CONFIG_INVALID',
      'SLACK_SIGNING_SECRET is required: the Slack surface receives events over HTTP at /slack/events',
      { userMessage: 'Slack is misconfigured; an operator must set SLACK_SIGNING_SECRET.' },
    );
  }
  const receiver = new SlackHttpReceiver({
    signingSecret: settings.signingSecret,
    inbox: store.inbox,
    logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  options.app.post(SLACK_EVENTS_PATH, ...receiver.handlers());
  let running: App | null = null;
  let replaying: Promise<void> = Promise.resolve();

  return {
    async start() {
      if (running) return;
      if (settings.appToken)
        logger.warn('SLACK_APP_TOKEN is set but Socket Mode is not built yet: using HTTP');
      const operators = await ensureTechnicalOperators(store, settings.toUsers);
      const app = new bolt.App({
        token: settings.botToken,
        receiver,
        clientOptions: slackClientOptions(settings, logger),
        logger: slackLogger(logger),
        deferInitialization: true,
      });
      registerCheckpointListeners(app, { store, jobs: scheduler, logger, opsChannel: settings.opsChannel });
      app.event('app_mention', ({ event }) => {
        logger.debug('app mention received; mentions are not handled yet', { channel: event.channel });
        return Promise.resolve();
      });
      registerClientMessageListeners(app, { intake: options.intake ?? null, store, logger });
      app.command('/hermes', async ({ ack }) => {
        await ack({
          response_type: 'ephemeral',
          text: '`/hermes status` and `/hermes pending` are coming soon.',
        });
      });
      await app.init();
      await app.start();
      running = app;
      logger.info('slack surface started', { path: SLACK_EVENTS_PATH, operators: operators.length });
      // What a crash left stored but unprocessed runs now, in the background.
      replaying = receiver.replayUnfinished().then(
        (count) => {
          if (count > 0) logger.info('replayed unfinished slack requests', { count });
        },
        (error: unknown) => {
          logger.error('replaying slack requests failed', { error: errorMessage(error) });
        },
      );
    },
    async stop() {
      const app = running;
      running = null;
      if (app) await app.stop();
      await replaying;
    },
  };
}
