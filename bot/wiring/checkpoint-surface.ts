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
  const slack = await import('./slack.js');
  const settings = config.slack;
  const checkpointCards = slack.wireSlackCheckpointCards({ settings, store, logger: slackLogger });
  const checkpointReminders = slack.wireSlackReminders({
    settings,
    times: config.checkpoints,
    store,
    jobs: work.jobQueue,
    logger: slackLogger,
  });
  work.notifiers.register(slack.wireSlackNotifier({ settings, store, logger: slackLogger }));
  return { checkpointCards, checkpointReminders };
}
