/** Samples the job queue into the `olympus_jobs_queued` gauge when metrics are scraped. */
import type { Metrics } from './metrics.js';

export interface QueueSource {
  queue(): Promise<Array<{ name: string; queued: number }>>;
}

export function jobQueueSampler(
  metrics: Pick<Metrics, 'jobsQueued'>,
  source: QueueSource,
): () => Promise<void> {
  return async () => {
    const overview = await source.queue();
    metrics.jobsQueued.reset();
    for (const entry of overview) metrics.jobsQueued.set({ job: entry.name }, entry.queued);
  };
}
