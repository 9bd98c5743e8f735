/**
 * The Slack surface: a Bolt app fed by our receiver — the HTTP one mounted on the Olympus HTTP app at
 * POST /slack/events, or Socket Mode when SLACK_APP_TOKEN is set (events still go inbox-first before
 * the ack). Creating it only mounts the route (no I/O); `start()` makes the configured TOs identities,
 * connects and opens the route; `stop()` closes it.
 */
import bolt from '@slack/bolt';
import type { App, Receiver } from '@slack/bolt';
import type { Express } from 'express';
import { OlympusError, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { JobQueue } from '../../ports/job-queue.js';
import type { Store } from '../../ports/store.js';
import type { Vault } from '../../ports/vault.js';
import { registerCheckpointListeners } from './checkpoint-listeners.js';
import { registerClientMessageListeners, type ClientIntake } from './client-messages.js';
import { provideCredential } from '../../handlers/checkpoints/provide-credential.js';
import { registerCredentialListeners, type ProvideCredential } from './credential-listeners.js';
import { slackClientOptions } from './slack-client.js';
import { ensureTechnicalOperators } from './slack-identities.js';
import { slackLogger } from './slack-logger.js';
import { createSlackNotifier, type SlackNotifier } from './slack-notifier.js';
import { SlackOperators } from './slack-operators.js';
import { slackOutbound } from './slack-outbound.js';
import { SLACK_EVENTS_PATH, SlackHttpReceiver, type SurfaceMetrics } from './slack-receiver.js';
import type { SlackSettings } from './slack-settings.js';
import { registerSlashCommands } from './slash-commands.js';
import { SlackSocketModeReceiver } from './socket-mode-receiver.js';

export interface SlackSurfaceOptions {
  settings: SlackSettings;
  store: Store;
  /** Enqueues jobs (card updates): the job queue. */
  scheduler: JobQueue;
  logger: Logger;
  /** The Olympus express app; the route is added before `finishHttpApp`. */
  app: Express;
  /** Where client DMs go (the ClientMessageHandler); without it DMs are stored and logged only. */
  intake?: ClientIntake;
  metrics?: SurfaceMetrics;
  /** Where Provide credential stores values; without it the button says no vault is available. */
  vault?: Vault;
  /** Stores a provided credential and approves; defaults to handlers/checkpoints/provide-credential.ts. */
  provideCredential?: ProvideCredential;
  /** Opens project threads on confirmation; defaults to one built from the settings. */
  notifier?: SlackNotifier;
}

export interface SlackSurface {
  /** 'http' or 'socket': how events arrive. */
  readonly transport: 'http' | 'socket';
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSlackSurface(options: SlackSurfaceOptions): SlackSurface {
  const { settings, store, scheduler } = options;
  const logger = options.logger.child({ component: 'slack' });
  const socketMode = Boolean(settings.appToken);
  if (!socketMode && !settings.signingSecret) {
    throw new OlympusError(
      'CONFIG_INVALID',
      'SLACK_SIGNING_SECRET is required: without SLACK_APP_TOKEN the Slack surface receives events over HTTP at /slack/events',
      {
        userMessage: 'Slack is misconfigured; an operator must set SLACK_SIGNING_SECRET or SLACK_APP_TOKEN.',
      },
    );
  }
  const core = new SlackHttpReceiver({
    signingSecret: settings.signingSecret ?? '',
    inbox: store.inbox,
    logger,
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
  let receiver: Receiver = core;
  if (settings.appToken) {
    receiver = new SlackSocketModeReceiver({
      appToken: settings.appToken,
      apiUrl: settings.apiUrl,
      core,
      logger,
    });
  } else {
    options.app.post(SLACK_EVENTS_PATH, ...core.handlers());
  }
  const outbound = slackOutbound(settings, logger);
  const operators = new SlackOperators({
    store,
    client: outbound.client,
    logger,
    toUsers: settings.toUsers,
    toUsergroup: settings.toUsergroup ?? null,
    ...(settings.usergroupTtlMs !== undefined ? { ttlMs: settings.usergroupTtlMs } : {}),
  });
  const notifier = options.notifier ?? createSlackNotifier({ settings, store, logger, outbound });
  let running: App | null = null;
  let replaying: Promise<void> = Promise.resolve();
  let retryTimer: NodeJS.Timeout | null = null;
  /** Runs one replay after the previous one (never two at once in this process). */
  const replay = () => {
    replaying = replaying
      .then(() => core.replayUnfinished())
      .then(
        (count) => {
          if (count > 0) logger.info('replayed unfinished slack requests', { count });
        },
        (error: unknown) => {
          logger.error('replaying slack requests failed', { error: errorMessage(error) });
        },
      );
  };

  return {
    transport: socketMode ? 'socket' : 'http',
    async start() {
      if (running) return;
      const operatorIdentities = await ensureTechnicalOperators(store, settings.toUsers);
      const app = new bolt.App({
        token: settings.botToken,
        receiver,
        clientOptions: slackClientOptions(settings, logger),
        logger: slackLogger(logger),
        deferInitialization: true,
      });
      const opsChannel = settings.opsChannel;
      registerCheckpointListeners(app, { store, jobs: scheduler, logger, opsChannel, operators });
      registerCredentialListeners(app, {
        store,
        jobs: scheduler,
        logger,
        opsChannel,
        operators,
        vault: options.vault ?? null,
        provide: options.provideCredential ?? provideCredential,
      });
      app.event('app_mention', ({ event }) => {
        logger.debug('app mention received; mentions are not handled', { channel: event.channel });
        return Promise.resolve();
      });
      registerClientMessageListeners(app, {
        intake: options.intake ?? null,
        store,
        logger,
        outbound,
        onConfirmed: async (projectId, dmChannel) => {
          await notifier.ensureProjectThread(projectId, dmChannel);
        },
      });
      registerSlashCommands(app, { store, operators });
      await app.init();
      await app.start();
      running = app;
      logger.info('slack surface started', {
        transport: socketMode ? 'socket' : 'http',
        ...(socketMode ? {} : { path: SLACK_EVENTS_PATH }),
        operators: operatorIdentities.length,
        toUsergroup: settings.toUsergroup ?? null,
      });
      // What a crash left stored but unprocessed runs now, in the background; what failed since (a reply
      // Slack did not take) is retried on a timer, a few times, under the same effect ids.
      replay();
      retryTimer = setInterval(replay, settings.retryEveryMs ?? 60_000);
      retryTimer.unref();
    },
    async stop() {
      const app = running;
      running = null;
      if (retryTimer) clearInterval(retryTimer);
      retryTimer = null;
      if (app) await app.stop();
      await replaying;
    },
  };
}
