/**
 * Slack's side of checkpoint reminders (handlers/checkpoints/checkpoint-reminders.ts runs the sweep and the
 * expiry): step 1 is a threaded reminder under the card; step 2 a threaded mention of the escalation user
 * group (`<!subteam^S…>`; without one, the TO user group or the configured TOs). Each post is an outbox
 * effect, redone after a crash without doubling.
 */
import type { Logger } from '../../common/logging/logger.js';
import {
  createCheckpointReminders,
  type CheckpointReminderTimes,
  type ReminderPoster,
} from '../../handlers/checkpoints/checkpoint-reminders.js';
import type { JobQueue } from '../../ports/job-queue.js';
import type { CheckpointReminders } from '../../orchestration/jobs/job-catalogue.js';
import type { Checkpoint, Store } from '../../ports/store.js';
import { postOnce } from './post-once.js';
import { slackOutbound, type SlackOutbound } from './slack-outbound.js';
import type { SlackSettings } from './slack-settings.js';

export { dueSteps } from '../../handlers/checkpoints/checkpoint-reminders.js';

export interface SlackCheckpointRemindersOptions {
  settings: SlackSettings;
  times: CheckpointReminderTimes;
  store: Store;
  /** Where the expiry's follow-up jobs go. */
  jobs: JobQueue;
  logger: Logger;
  /** How often the sweep runs. Default "1 minute". */
  every?: string;
  outbound?: SlackOutbound;
  now?: () => Date;
}

/** Posts reminders and escalations under the checkpoint's Slack card (or in the ops channel). */
export function slackReminderPoster(
  settings: SlackSettings,
  store: Store,
  logger: Logger,
  outbound?: SlackOutbound,
): ReminderPoster {
  let queue = outbound ?? null;
  const slack = () => (queue ??= slackOutbound(settings, logger));
  return {
    async post(checkpoint: Checkpoint, step: 1 | 2, waited: string): Promise<void> {
      const card = checkpoint.cards.find((ref) => ref.surface === 'slack');
      const channel = card?.channel ?? settings.opsChannel;
      if (!channel) return;
      const text =
        step === 1
          ? `Reminder: this checkpoint has been waiting for a TO for ${waited}.`
          : `${escalationMention(settings)}Escalation: this checkpoint has been waiting for ${waited}; please decide it.`;
      await postOnce(store, slack(), {
        effectId: `slack.reminder:${checkpoint.id}:${step}`,
        kind: 'slack.reminder',
        channel,
        ...(card ? { threadTs: card.messageId } : {}),
        since: checkpoint.createdAt,
        render: () => Promise.resolve({ text }),
      });
    },
  };
}

export function createSlackCheckpointReminders(
  options: SlackCheckpointRemindersOptions,
): CheckpointReminders {
  const logger = options.logger.child({ component: 'slack-reminders' });
  return createCheckpointReminders({
    store: options.store,
    times: options.times,
    jobs: options.jobs,
    logger,
    poster: slackReminderPoster(options.settings, options.store, logger, options.outbound),
    ...(options.every ? { every: options.every } : {}),
    ...(options.now ? { now: options.now } : {}),
  });
}

/** Who an escalation calls: the escalation group, else the TO group, else the configured TOs. */
export function escalationMention(settings: SlackSettings): string {
  const group = settings.escalationGroup ?? settings.toUsergroup ?? null;
  if (group) return `<!subteam^${group}> `;
  const users = settings.toUsers.map((user) => `<@${user}>`).join(' ');
  return users === '' ? '' : `${users} `;
}
