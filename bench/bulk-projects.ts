/**
 * Stores 1,000 projects with 10 tasks each through the store port (projects awaiting plan approval, so the
 * orchestrator's sweep reads every one of them), then has a running Olympus sweep them once.
 */
import { createSilentLogger } from '../common/logging/logger.js';
import { jobCatalogue } from '../orchestration/jobs/job-catalogue.js';
import { JOB_NAMES } from '../ports/job-queue.js';
import { createJobQueue } from '../bot/wiring/job-queue.js';
import type { Store } from '../ports/store.js';

export async function storeProjects(store: Store, projects: number, tasksEach: number): Promise<void> {
  const owner = await store.identities.create({ displayName: 'Bench owner' });
  const stamp = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < projects) {
      const n = (next += 1);
      const { project } = await store.projects.create({
        key: `bulk-${stamp}-${n}`,
        title: `Bulk project ${n}`,
        ownerId: owner.id,
        brief: { goal: `Project ${n}` },
        createdBy: owner.id,
        status: 'awaiting_approval',
      });
      await store.tasks.createMany(
        project.id,
        Array.from({ length: tasksEach }, (_, i) => ({
          key: `task-${i}`,
          role: 'apollo' as const,
          title: `Task ${i} of project ${n}`,
          spec: 'Build the thing described in the brief.',
        })),
      );
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

/** Enqueues one `orchestration.sweep` for the workers of whatever Olympus runs on this store. */
export async function requestSweep(store: Store): Promise<void> {
  const logger = createSilentLogger();
  const scheduler = createJobQueue({
    store,
    logger,
    settings: { processEvery: '1 minute', maxConcurrency: 1, lockLimit: 1, lockLifetimeMs: 60_000 },
    shutdownTimeoutMs: 1000,
    catalogue: jobCatalogue({ store, logger }),
    work: false,
  });
  await scheduler.start();
  try {
    await scheduler.enqueue(JOB_NAMES.orchestrationSweep, {});
  } finally {
    await scheduler.stop();
  }
}
