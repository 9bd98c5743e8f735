/**
 * The Slack surface's parts built from the ports: the use cases it is given (it holds no repository), the
 * checkpoint card sync and the reminder sweep with Slack's renderer and poster, the client notifier and
 * the surface itself. Loaded only when Slack is configured; tests and benchmarks build Slack the same way.
 */
import type { Express } from 'express';
import type { Logger } from '../../common/logging/logger.js';
import { refusedRequests } from '../../handlers/access/refused-requests.js';
import { cardPresses } from '../../handlers/checkpoints/card-presses.js';
import { CardSync } from '../../handlers/checkpoints/card-sync.js';
import {
  createCheckpointReminders,
  type CheckpointReminderTimes,
} from '../../handlers/checkpoints/checkpoint-reminders.js';
import { identityDirectory } from '../../handlers/identities/identity-directory.js';
import { operatorRoster } from '../../handlers/identities/technical-operators.js';
import { InboundRecorder } from '../../handlers/inbox/inbound-recorder.js';
import { projectThreads } from '../../handlers/notify/project-threads.js';
import { projectStatuses } from '../../handlers/ops/project-status.js';
import { chatOutbox } from '../../handlers/outbox/chat-outbox.js';
import type { CheckpointCardSync, CheckpointReminders } from '../../orchestration/jobs/job-catalogue.js';
import type { Checkpoint } from '../../ports/domain.js';
import type { JobQueue } from '../../ports/job-queue.js';
import type { Store } from '../../ports/store.js';
import type { Vault } from '../../ports/vault.js';
import { slackCardSurface } from '../slack/checkpoint-cards.js';
import type { ClientIntake } from '../slack/client-messages.js';
import { slackReminderPoster } from '../slack/checkpoint-reminders.js';
import { createSlackNotifier, type SlackNotifier } from '../slack/slack-notifier.js';
import type { SurfaceMetrics } from '../slack/slack-receiver.js';
import type { SlackSettings } from '../slack/slack-settings.js';
import { createSlackSurface, type SlackSurface, type SlackUseCases } from '../slack/slack-surface.js';
import type { Clock } from '../../ports/clock.js';

export function slackUseCases(ports: {
  store: Store;
  jobs: JobQueue;
  vault?: Vault | null;
  logger: Logger;
}): SlackUseCases {
  const { store, jobs, logger } = ports;
  return {
    inbound: new InboundRecorder(store.inbox),
    identities: identityDirectory(store),
    operators: operatorRoster(store),
    presses: cardPresses({ store, jobs, vault: ports.vault ?? null }),
    statuses: projectStatuses(store),
    outbox: chatOutbox(store.outbox),
    threads: projectThreads(store, logger),
    refusals: refusedRequests(store),
  };
}

export function wireSlackSurface(options: {
  settings: SlackSettings;
  store: Store;
  jobs: JobQueue;
  vault?: Vault | null;
  logger: Logger;
  app: Express;
  intake?: ClientIntake;
  metrics?: SurfaceMetrics;
  notifier?: SlackNotifier;
}): SlackSurface {
  const { store, jobs, vault, logger, ...surface } = options;
  return createSlackSurface({ ...surface, logger, useCases: slackUseCases({ store, jobs, vault, logger }) });
}

export function wireSlackCheckpointCards(options: {
  settings: SlackSettings;
  store: Store;
  logger: Logger;
  onDecisionShown?: (checkpoint: Checkpoint) => void;
}): CheckpointCardSync {
  const { store, logger, ...surface } = options;
  return new CardSync({ store, logger, surface: slackCardSurface({ ...surface, logger }) });
}

export function wireSlackReminders(options: {
  settings: SlackSettings;
  times: CheckpointReminderTimes;
  store: Store;
  jobs: JobQueue;
  logger: Logger;
  every?: string;
  clock?: Clock;
}): CheckpointReminders {
  const { settings, store, logger } = options;
  const poster = slackReminderPoster({ settings, outbox: chatOutbox(store.outbox), logger });
  return createCheckpointReminders({
    store,
    times: options.times,
    jobs: options.jobs,
    logger: logger.child({ component: 'slack-reminders' }),
    poster,
    ...(options.every ? { every: options.every } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
  });
}

export function wireSlackNotifier(options: {
  settings: SlackSettings;
  store: Store;
  logger: Logger;
}): SlackNotifier {
  const { settings, store, logger } = options;
  return createSlackNotifier({
    settings,
    outbox: chatOutbox(store.outbox),
    threads: projectThreads(store, logger),
    logger,
  });
}
