/**
 * Checkpoints as the operators see them: listed (pending only, or all), and one checkpoint with what its
 * card shows beside it (the project, the task, the decider's name, the action hash its buttons carry).
 * Rendering the card is the surface's.
 */
import { currentActionHash } from '../../orchestration/checkpoints/action-hash.js';
import type { Checkpoint, Project, Store, Task } from '../../ports/store.js';
import { listCheckpoints } from './ops-queries.js';

export interface CheckpointCardData {
  checkpoint: Checkpoint;
  project: Project | null;
  task: Task | null;
  /** The decider's display name (their id when unknown); null while undecided. */
  decidedBy: string | null;
  /** The action hash the card's buttons carry (a decision names it; a stale one is refused). */
  actionHash: string;
}

export interface CheckpointViews {
  /** Oldest first. */
  list(options: { pendingOnly: boolean }): Promise<Checkpoint[]>;
  /** Newest first. */
  newestFirst(): Promise<Checkpoint[]>;
  cardData(checkpoint: Checkpoint): Promise<CheckpointCardData>;
}

export function checkpointViews(store: Store): CheckpointViews {
  return {
    list: (options) => listCheckpoints(store, options.pendingOnly),
    async newestFirst() {
      const all = await store.checkpoints.list();
      return all.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    },
    async cardData(checkpoint) {
      const [project, task, decider] = await Promise.all([
        store.projects.get(checkpoint.projectId),
        checkpoint.taskId ? store.tasks.get(checkpoint.taskId) : Promise.resolve(null),
        checkpoint.decision ? store.identities.get(checkpoint.decision.by) : Promise.resolve(null),
      ]);
      return {
        checkpoint,
        project,
        task,
        decidedBy: decider?.displayName ?? checkpoint.decision?.by ?? null,
        actionHash: currentActionHash(checkpoint),
      };
    },
  };
}
