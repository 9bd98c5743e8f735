/** Samples work stopped for a TO (pending `plan_failed` / `task_failed` questions) into `olympus_stalled_work`. */
import { stalledWork } from '../../ports/stalled-work.js';
import type { CheckpointRepository } from '../../ports/store.js';
import type { Metrics } from './metrics.js';

export function stalledWorkSampler(
  metrics: Pick<Metrics, 'stalledWork'>,
  checkpoints: Pick<CheckpointRepository, 'list'>,
): () => Promise<void> {
  return async () => {
    const stalled = stalledWork(await checkpoints.list({ status: ['pending'] }));
    for (const kind of ['plan', 'task'] as const)
      metrics.stalledWork.set({ kind }, stalled.filter((work) => work.kind === kind).length);
  };
}
