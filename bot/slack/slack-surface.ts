/**
 * The Slack surface: a Bolt app fed by our receiver — the HTTP one mounted on the Olympus HTTP app at
 * POST /slack/events, or Socket Mode when SLACK_APP_TOKEN is set (events still go inbox-first before
 * the ack). Creating it only mounts the route (no I/O); `start()` makes the configured TOs identities,
 * connects and opens the route; `stop()` closes it. Everything it needs from stored state comes through
 * the use cases it is given (`SlackUseCases`, built by the composition root from the ports). Requests
 * from a workspace it does not serve are dropped before the inbox (workspace-gate.ts; the home workspace
 * is the one `auth.test` names at start).
 */
import bolt from '@slack/bolt';
import type { App, Receiver } from '@slack/bolt';
import type { Express } from 'express';
import { OlympusError, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { RefusedRequests } from '../../handlers/access/refused-requests.js';
import type { CardPresses } from '../../handlers/checkpoints/card-presses.js';
import type { IdentityDirectory } from '../../handlers/identities/identity-directory.js';
import type { OperatorRoster } from '../../handlers/identities/technical-operators.js';
import type { InboundRecorder } from '../../handlers/inbox/inbound-recorder.js';
import type { ProjectThreads } from '../../handlers/notify/project-threads.js';
import type { ProjectStatuses } from '../../handlers/ops/project-status.js';
import type { ChatOutbox } from '../../handlers/outbox/chat-outbox.js';
import { registerCheckpointListeners } from './checkpoint-listeners.js';
import { registerClientMessageListeners, type ClientIntake } from './client-messages.js';
import { registerCredentialListeners } from './credential-listeners.js';
import { ListenerRoutes } from './listener-routes.js';
import { slackClientOptions, type SlackWebClient } from './slack-client.js';
import { slackHandle } from './slack-identities.js';
import { slackLogger } from './slack-logger.js';
import { createSlackNotifier, type SlackNotifier } from './slack-notifier.js';
import { SlackOperators } from './slack-operators.js';
import { slackOutbound } from './slack-outbound.js';
import { SLACK_EVENTS_PATH, SlackHttpReceiver, type SurfaceMetrics } from './slack-receiver.js';
import type { SlackSettings } from './slack-settings.js';
import { registerSlashCommands } from './slash-commands.js';
import { SlackSocketModeReceiver } from './socket-mode-receiver.js';
import { workspaceScreen } from './workspace-gate.js';
import { SlackWorkspaces, type SlackWorkspace } from './slack-workspaces.js';

/** What the Slack surface does with stored state, each through a use case of handlers/. */
export interface SlackUseCases {
  /** Every request stored before its ack, repeats dropped, unfinished ones replayed. */
  inbound: InboundRecorder;
  /** Who a Slack user is. */
  identities: Pick<IdentityDirectory, 'findByHandle' | 'ensure'>;
  /** SLACK_TO_USERS made TO identities at start. */
  operators: OperatorRoster;
  /** Card presses: precheck, decision, credentials. */
  presses: CardPresses;
  /** `/hermes status` and `/hermes pending`. */
  statuses: ProjectStatuses;
  /** Replies and notices sent once. */
  outbox: ChatOutbox;
  /** Project threads opened once. */
  threads: ProjectThreads;
  /** Requests from outside our workspaces, audited. */
  refusals: RefusedRequests;
}

export interface SlackSurfaceOptions {
  settings: SlackSettings;
  useCases: SlackUseCases;
  logger: Logger;
  /** The Olympus express app; the route is added before `finishHttpApp`. */
  app: Express;
  /** Where client DMs go (the ClientMessageHandler); without it DMs are stored and logged only. */
  intake?: ClientIntake;
  metrics?: SurfaceMetrics;
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
  const { settings, useCases } = options;
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
  const workspaces = new SlackWorkspaces({
    teamIds: settings.allowedTeamIds ?? [],
    enterpriseIds: settings.allowedEnterpriseIds ?? [],
  });
  const core = new SlackHttpReceiver({
    signingSecret: settings.signingSecret ?? '',
    inbound: useCases.inbound,
    screen: workspaceScreen({ workspaces, refusals: useCases.refusals, logger }),
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
    identities: useCases.identities,
    client: outbound.client,
    logger,
    toUsers: settings.toUsers,
    toUsergroup: settings.toUsergroup ?? null,
    workspaces,
    ...(settings.usergroupTtlMs !== undefined ? { ttlMs: settings.usergroupTtlMs } : {}),
  });
  const notifier =
    options.notifier ??
    createSlackNotifier({ settings, outbox: useCases.outbox, threads: useCases.threads, logger, outbound });
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
      workspaces.bind(await homeWorkspace(outbound.client));
      if (!workspaces.describe().teams.includes(workspaces.home.teamId)) {
        logger.warn('SLACK_ALLOWED_TEAM_IDS leaves out the workspace of the bot token', {
          home: workspaces.home.teamId,
        });
      }
      const operatorIdentities = await useCases.operators.ensure(settings.toUsers.map(slackHandle));
      const app = new bolt.App({
        token: settings.botToken,
        receiver,
        clientOptions: slackClientOptions(settings, logger),
        logger: slackLogger(logger),
        deferInitialization: true,
        // Bolt's conversation store is not used: left on, it builds (and throws away) an Error per event.
        convoStore: false,
      });
      const opsChannel = settings.opsChannel;
      const { presses } = useCases;
      const routes = new ListenerRoutes();
      registerCheckpointListeners(routes, { presses, logger, opsChannel, operators });
      registerCredentialListeners(routes, { presses, logger, opsChannel, operators });
      routes.event('app_mention', ({ event }) => {
        const channel = 'channel' in event ? event.channel : null;
        logger.debug('app mention received; mentions are not handled', { channel });
        return Promise.resolve();
      });
      registerClientMessageListeners(routes, {
        intake: options.intake ?? null,
        outbox: useCases.outbox,
        transport: outbound.transport,
        logger,
        workspaces,
        onConfirmed: async (projectId, dmChannel) => {
          await notifier.ensureProjectThread(projectId, dmChannel);
        },
      });
      registerSlashCommands(routes, { statuses: useCases.statuses, operators });
      routes.mount(app);
      await app.init();
      await app.start();
      running = app;
      logger.info('slack surface started', {
        transport: socketMode ? 'socket' : 'http',
        ...(socketMode ? {} : { path: SLACK_EVENTS_PATH }),
        operators: operatorIdentities.length,
        toUsergroup: settings.toUsergroup ?? null,
        workspace: workspaces.home,
        allowed: workspaces.describe(),
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

/** The team (and enterprise) of the bot token, as `auth.test` names them. */
async function homeWorkspace(client: SlackWebClient): Promise<SlackWorkspace> {
  const answer = await client.auth.test();
  if (!answer.team_id) {
    throw new OlympusError('CONFIG_INVALID', 'auth.test named no team for SLACK_BOT_TOKEN', {
      userMessage: 'Slack is misconfigured; the bot token names no workspace.',
    });
  }
  return { teamId: answer.team_id, enterpriseId: answer.enterprise_id || null };
}
