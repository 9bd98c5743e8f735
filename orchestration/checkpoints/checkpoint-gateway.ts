/** The checkpoint gateway agent tools open and join their checkpoints through (ports/agent-gateways.ts). */
import type { CheckpointGateway } from '../../ports/agent-gateways.js';
import type { JobQueue } from '../../ports/job-queue.js';
import type { Store } from '../../ports/store.js';
import { exclusively } from '../exclusive-lease.js';
import { joinCheckpoint } from './join-checkpoint.js';
import { openCheckpoint } from './open-checkpoint.js';

export function checkpointGateway(deps: { store: Store; jobs: JobQueue }): CheckpointGateway {
  return {
    open: (checkpoint) => openCheckpoint({ store: deps.store, jobs: deps.jobs, checkpoint }),
    join: (checkpointId, waiter, actor) =>
      joinCheckpoint({ store: deps.store, jobs: deps.jobs, checkpointId, waiter, actor }),
    exclusive: (projectId, subject, work) =>
      exclusively(deps.store, `checkpoint-subject:${projectId}:${subject}`, work),
  };
}
