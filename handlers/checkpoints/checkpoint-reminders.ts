/**
 * Reminders, escalation and expiry of pending checkpoints, run by the `checkpoint.remind` sweep on every
 * deployment, with or without Slack:
 * step 1 after the reminder wait: a reminder (posted by the surface's poster, e.g. under the Slack card);
 * step 2 after the escalation wait: an escalation (the poster names who is called);
 * step 3 after the expiry wait (or the checkpoint's own `expiresAt`): decided `expired` by the system through
 * the decision handler, which updates the cards and tells the waiting work.
 * Steps are counted with the checkpoint's atomic reminder counter under a per-checkpoint lease, so each
 * happens once and in order; a step counted but not carried out (a crash) is redone, and the poster's
 * posts are outbox effects, so nothing doubles.
 */
import { hostname } from 'node:os';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { CheckpointReminders } from '../../orchestration/jobs/job-catalogue.js';
import type { Checkpoint, Store } from '../../ports/store.js';
import { expireCheckpoint } from './decide-checkpoint.js';
import type { JobQueue } from '../../ports/job-queue.js';
import { systemClock, type Clock } from '../../ports/clock.js';

export interface CheckpointReminderTimes {
  remindAfterMs: number;
  escalateAfterMs: number;
  expireAfterMs: number;
}

/** Posts reminder (1) and escalation (2) steps on a surface; `waited` is how long, in words. */
export interface ReminderPoster {
  post(checkpoint: Checkpoint, step: 1 | 2, waited: string): Promise<void>;
}

export interface CheckpointRemindersOptions {
  store: Store;
  times: CheckpointReminderTimes;
  /** Where the expiry's follow-up jobs go. */
  jobs: JobQueue;
  logger: Logger;
  /** Without one (no surface to post on), steps 1 and 2 are counted but post nothing; expiry still happens. */
  poster?: ReminderPoster;
  /** How often the sweep runs. Default "1 minute". */
  every?: string;
  /** Where "now" comes from (tests drive it). */
  clock?: Clock;
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

/** A duration in words: "40 seconds", "25 minutes", "6 hours", "3 days". */
export function describeWait(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return `${Math.max(1, Math.round(ms / 1000))} seconds`;
  if (minutes < 120) return `${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  return hours < 48 ? `${hours} hours` : `${Math.round(hours / 24)} days`;
}

export function createCheckpointReminders(options: CheckpointRemindersOptions): CheckpointReminders {
  const { store, times } = options;
  const logger = options.logger.child({ component: 'checkpoint-reminders' });
  const now = () => (options.clock ?? systemClock).now();
  const holder = `${hostname()}:${process.pid}:checkpoint-reminders`;

  async function take(checkpoint: Checkpoint, step: number): Promise<void> {
    if (step === 1 || step === 2) {
      await options.poster?.post(
        checkpoint,
        step,
        describeWait(now().getTime() - checkpoint.createdAt.getTime()),
      );
      return;
    }
    const result = await expireCheckpoint({
      store,
      jobs: options.jobs,
      checkpointId: checkpoint.id,
      reason: `no decision within ${describeWait(times.expireAfterMs)}`,
    });
    logger.info('checkpoint expiry', { checkpointId: checkpoint.id, result: result.status });
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
      // The last step counted may not have been carried out (a crash between count and post): redo it.
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
