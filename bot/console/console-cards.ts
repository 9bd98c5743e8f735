/**
 * Checkpoint cards for the web console: the same Block Kit JSON the Slack surface posts (cardBlocks),
 * with the decider named by display name instead of a Slack mention.
 */
import type { SlackBlockDto } from 'slack-block-builder';
import { currentActionHash } from '../../orchestration/checkpoints/action-hash.js';
import type { Checkpoint, Store } from '../../ports/store.js';
import { cardBlocks, cardText } from '../slack/checkpoint-card.js';

export interface ConsoleCard {
  checkpoint: Checkpoint;
  /** The action hash the card's buttons carry. */
  actionHash: string;
  text: string;
  blocks: SlackBlockDto[];
}

export async function consoleCard(store: Store, checkpoint: Checkpoint): Promise<ConsoleCard> {
  const [project, task, decider] = await Promise.all([
    store.projects.get(checkpoint.projectId),
    checkpoint.taskId ? store.tasks.get(checkpoint.taskId) : Promise.resolve(null),
    checkpoint.decision ? store.identities.get(checkpoint.decision.by) : Promise.resolve(null),
  ]);
  const model = {
    checkpoint,
    project,
    task,
    decidedBy: decider?.displayName ?? checkpoint.decision?.by ?? null,
  };
  return {
    checkpoint,
    actionHash: currentActionHash(checkpoint),
    text: cardText(model),
    blocks: cardBlocks(model),
  };
}
