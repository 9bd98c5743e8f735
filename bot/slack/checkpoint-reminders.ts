/**
 * Slack's side of checkpoint reminders (handlers/checkpoints/checkpoint-reminders.ts runs the sweep and the
 * expiry): step 1 is a threaded reminder under the card; step 2 a threaded mention of the escalation user
 * group (`<!subteam^S…>`; without one, the TO user group or the configured TOs). Each post is an outbox
 * effect, redone after a crash without doubling.
 */
import type { Logger } from '../../common/logging/logger.js';
import type { ReminderPoster } from '../../handlers/checkpoints/checkpoint-reminders.js';
import type { ChatOutbox } from '../../handlers/outbox/chat-outbox.js';
import type { Checkpoint } from '../../ports/domain.js';
import { slackOutbound, type SlackOutbound } from './slack-outbound.js';
import type { SlackSettings } from './slack-settings.js';

export { dueSteps } from '../../handlers/checkpoints/checkpoint-reminders.js';

export interface SlackReminderPosterOptions {
  settings: SlackSettings;
  /** Sends each reminder once (handlers/outbox). */
  outbox: ChatOutbox;
  logger: Logger;
  /** Defaults to the shared client and channel queue of `settings`. */
  outbound?: SlackOutbound;
}

/** Posts reminders and escalations under the checkpoint's Slack card (or in the ops channel). */
export function slackReminderPoster(options: SlackReminderPosterOptions): ReminderPoster {
  const { settings, outbox } = options;
  const { transport } = options.outbound ?? slackOutbound(settings, options.logger);
  return {
    async post(checkpoint: Checkpoint, step: 1 | 2, waited: string): Promise<void> {
      const card = checkpoint.cards.find((ref) => ref.surface === 'slack');
      const channel = card?.channel ?? settings.opsChannel;
      if (!channel) return;
      const text =
        step === 1
          ? `Reminder: this checkpoint has been waiting for a TO for ${waited}.`
          : `${escalationMention(settings)}Escalation: this checkpoint has been waiting for ${waited}; please decide it.`;
      await outbox.send(
        transport,
        {
          effectId: `slack.reminder:${checkpoint.id}:${step}`,
          kind: 'slack.reminder',
          since: checkpoint.createdAt,
        },
        { op: 'post', to: { channel, thread: card?.messageId ?? null } },
        () => ({ text }),
      );
    },
  };
}

/** Who an escalation calls: the escalation group, else the TO group, else the configured TOs. */
export function escalationMention(settings: SlackSettings): string {
  const group = settings.escalationGroup ?? settings.toUsergroup ?? null;
  if (group) return `<!subteam^${group}> `;
  const users = settings.toUsers.map((user) => `<@${user}>`).join(' ');
  return users === '' ? '' : `${users} `;
}
