/**
 * Reminders, escalation and expiry of pending checkpoints, run by the `checkpoint.remind` sweep:
 * step 1 after the reminder wait: a threaded reminder under the card;
 * step 2 after the escalation wait: a threaded mention of the escalation user group (`<!subteam^S…>`;
 *   without one, the TO user group or the configured TOs);
 * step 3 after the expiry wait (or the checkpoint's own `expiresAt`): decided `expired` by the system
 * through the decision handler, which updates the card and tells the waiting work.
 * Steps are counted with the checkpoint's atomic reminder counter under a per-checkpoint lease, so each
 * happens once and in order; each post is an outbox effect, redone after a crash without doubling.
 */
import { hostname } from 'node:os';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import { expireCheckpoint } from '../../handlers/checkpoints/decide-checkpoint.js';
import type { JobQueue } from '../../handlers/checkpoints/job-queue.js';
import type { CheckpointReminders } from '../../orchestration/jobs/job-catalogue.js';
import type { Checkpoint, Store } from '../../storage/ports.js';
import { postOnce } from './post-once.js';
import { slackOutbound, type SlackOutbound } from './slack-outbound.js';
import type { CheckpointReminderTimes, SlackSettings } from './slack-settings.js';

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

const LEASE_MS = 60_000;

/** Which steps are due for a checkpoint opened at `createdAt` (0 to 3). */
export function dueSteps(checkpoint: Checkpoint, times: CheckpointReminderTimes, now: Date): number {
  const age = now.getTime() - checkpoint.createdAt.getTime();
  const expiresAt = checkpoint.expiresAt ?? new Date(checkpoint.createdAt.getTime() + times.expireAfterMs);
  if (now.getTime() >= expiresAt.getTime()) return 3;
  if (age >= times.escalateAfterMs) return 2;
  if (age >= times.remindAfterMs) return 1;
  return 0;
}

export function createSlackCheckpointReminders(
  options: SlackCheckpointRemindersOptions,
): CheckpointReminders {
  const { settings, store, times } = options;
  const logger = options.logger.child({ component: 'slack-reminders' });
  const now = options.now ?? (() => new Date());
  const holder = `${hostname()}:${process.pid}:slack-reminders`;
  let outbound = options.outbound ?? null;
  const slack = () => (outbound ??= slackOutbound(settings, logger));

  async function postStep(checkpoint: Checkpoint, step: 1 | 2, text: string): Promise<void> {
    const card = checkpoint.cards.find((ref) => ref.surface === 'slack');
    const channel = card?.channel ?? settings.opsChannel;
    if (!channel) return;
    await postOnce(store, slack(), {
      effectId: `slack.reminder:${checkpoint.id}:${step}`,
      kind: 'slack.reminder',
      channel,
      ...(card ? { threadTs: card.messageId } : {}),
      since: checkpoint.createdAt,
      render: () => Promise.resolve({ text }),
    });
  }

  async function take(checkpoint: Checkpoint, step: number): Promise<void> {
    const waited = describe(now().getTime() - checkpoint.createdAt.getTime());
    if (step === 1) {
      await postStep(checkpoint, 1, `Reminder: this checkpoint has been waiting for a TO for ${waited}.`);
    } else if (step === 2) {
      const group = escalationMention(settings);
      await postStep(
        checkpoint,
        2,
        `${group}Escalation: this checkpoint has been waiting for ${waited}; please decide it.`,
      );
    } else {
      const result = await expireCheckpoint({
        store,
        jobs: options.jobs,
        checkpointId: checkpoint.id,
        reason: `no decision within ${describe(times.expireAfterMs)}`,
      });
      logger.info('checkpoint expiry', { checkpointId: checkpoint.id, result: result.status });
    }
  }

  /** Takes the due steps of one checkpoint; returns how many were new. */
  async function advance(id: string): Promise<number> {
    const key = `checkpoint.remind:${id}`;
    const lease = await store.leases.acquire(key, holder, LEASE_MS);
    if (lease === null) return 0;
    try {
      const checkpoint = await store.checkpoints.get(id);
      if (checkpoint === null || checkpoint.status !== 'pending') return 0;
      const due = dueSteps(checkpoint, times, now());
      const sent = checkpoint.remindersSent;
      // The last step counted may not have been carried out (a crash between count and post): redo it;
      // its post is an outbox effect and the expiry a compare-and-set, so nothing doubles.
      if (sent > 0) await take(checkpoint, Math.min(sent, 3));
      let taken = 0;
      for (let step = sent + 1; step <= due; step += 1) {
        const counted = await store.checkpoints.recordReminder(id);
        if (counted === null) break;
        await take(checkpoint, counted);
        taken += 1;
      }
      return taken;
    } finally {
      await store.leases.release(key, lease.token);
    }
  }

  return {
    every: options.every ?? '1 minute',
    async sweep(): Promise<number> {
      let taken = 0;
      for (const checkpoint of await store.checkpoints.list({ status: ['pending'] })) {
        const due = dueSteps(checkpoint, times, now());
        // Still pending after the expiry step was counted: that step is redone.
        if (due === 0 || (due <= checkpoint.remindersSent && checkpoint.remindersSent < 3)) continue;
        try {
          taken += await advance(checkpoint.id);
        } catch (error) {
          logger.warn('checkpoint reminder step failed; the next sweep retries', {
            checkpointId: checkpoint.id,
            error: errorMessage(error),
          });
        }
      }
      return taken;
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

function describe(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return `${Math.max(1, Math.round(ms / 1000))} seconds`;
  if (minutes < 120) return `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} hours` : `${Math.round(hours / 24)} days`;
}
