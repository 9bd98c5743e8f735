/**
 * Where checkpoints show: Slack cards and their reminders when Slack is configured (card jobs run wherever
 * workers run, so every mode knows how to sync them), else expiry alone; and Slack's client notifier.
 */
import { createCheckpointReminders } from '../../handlers/checkpoints/checkpoint-reminders.js';
import type { CheckpointCardSync, CheckpointReminders } from '../../orchestration/jobs/job-catalogue.js';
import type { Core } from './core.js';
import type { Wiring } from './lifecycle.js';
import type { Work } from './orchestration.js';

export interface CheckpointSurface {
  checkpointCards?: CheckpointCardSync;
  checkpointReminders: CheckpointReminders;
}

export async function wireCheckpointSurface(
  { config, logger }: Wiring,
  { store }: Core,
  work: Work,
): Promise<CheckpointSurface> {
  if (!config.slack) {
    // Without Slack there is nowhere to post reminders, but pending checkpoints still expire.
    return {
      checkpointReminders: createCheckpointReminders({
        store,
        times: config.checkpoints,
        jobs: work.jobQueue,
        logger,
      }),
    };
  }
  const slackLogger = logger.child({ component: 'slack' });
  const checkpointCards = (await import('../slack/checkpoint-cards.js')).createSlackCheckpointCards({
    settings: config.slack,
    store,
    logger: slackLogger,
  });
  const checkpointReminders = (
    await import('../slack/checkpoint-reminders.js')
  ).createSlackCheckpointReminders({
    settings: config.slack,
    times: config.checkpoints,
    store,
    jobs: work.jobQueue,
    logger: slackLogger,
  });
  const { createSlackNotifier } = await import('../slack/slack-notifier.js');
  work.notifiers.register(createSlackNotifier({ settings: config.slack, store, logger: slackLogger }));
  return { checkpointCards, checkpointReminders };
}
