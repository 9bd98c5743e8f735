/** The job queue with the whole job catalogue; worker modes run jobs, `bot` only enqueues. */
import { BudgetDecisions } from '../../orchestration/budget/budget-decisions.js';
import { jobCatalogue } from '../../orchestration/jobs/job-catalogue.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import type { CheckpointSurface } from './checkpoint-surface.js';
import type { Core } from './core.js';
import type { Intake } from './intake.js';
import { createJobQueue } from './job-queue.js';
import type { Wiring } from './lifecycle.js';
import type { Work } from './orchestration.js';

export async function wireScheduler(
  { config, mode, logger, onStop }: Wiring,
  { store, metrics }: Core,
  work: Work,
  intake: Intake,
  checkpoints: CheckpointSurface,
): Promise<AgendaJobQueue> {
  const scheduler = createJobQueue({
    store,
    logger: logger.child({ component: 'scheduler' }),
    settings: config.jobs,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    catalogue: jobCatalogue({
      store,
      logger,
      intake: intake.intake,
      ...checkpoints,
      orchestrator: work.orchestrator,
      budget: new BudgetDecisions({ store, jobs: work.jobQueue }),
      notices: work.noticeDelivery,
      digests: work.digests,
    }),
    work: mode !== 'bot',
    metrics,
  });
  work.jobQueue.bind(scheduler);
  await scheduler.start();
  onStop(() => scheduler.stop());
  return scheduler;
}
