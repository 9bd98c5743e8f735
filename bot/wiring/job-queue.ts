/**
 * The job queue as Olympus runs it: the Agenda adapter on the store's own database, with the job
 * definitions turned into runnable jobs (schema checks on enqueue, fencing leases on every attempt).
 */
import type { JobDefinition } from '../../orchestration/jobs/job-definition.js';
import { runnableJobs } from '../../orchestration/jobs/runnable-jobs.js';
import type { Store } from '../../ports/store.js';
import { AgendaJobQueue, type AgendaJobQueueOptions } from '../../storage/agenda/agenda-job-queue.js';

export interface JobQueueOptions extends Omit<AgendaJobQueueOptions, 'connection' | 'jobs'> {
  store: Store;
  /** Every job that exists (orchestration/jobs/job-catalogue.ts, or a test's own). */
  catalogue: JobDefinition[];
}

export function createJobQueue({ store, catalogue, ...options }: JobQueueOptions): AgendaJobQueue {
  return new AgendaJobQueue({
    ...options,
    connection: store.connection(),
    jobs: runnableJobs(catalogue, { leases: store.leases, logger: options.logger }),
  });
}
