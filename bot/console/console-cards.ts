/**
 * Checkpoint cards for the web console: the same Block Kit JSON the Slack surface posts (cardBlocks),
 * with the decider named by display name instead of a Slack mention. The card builder (and its Block Kit
 * library) is loaded with the first card asked for, not at start.
 */
import type { SlackBlockDto } from 'slack-block-builder';
import type { CheckpointViews } from '../../handlers/ops/checkpoint-views.js';
import type { Checkpoint } from '../../ports/domain.js';

export interface ConsoleCard {
  checkpoint: Checkpoint;
  /** The action hash the card's buttons carry. */
  actionHash: string;
  text: string;
  blocks: SlackBlockDto[];
}

export async function consoleCard(
  checkpoints: Pick<CheckpointViews, 'cardData'>,
  checkpoint: Checkpoint,
): Promise<ConsoleCard> {
  const [model, { cardBlocks, cardText }] = await Promise.all([
    checkpoints.cardData(checkpoint),
    import('../slack/checkpoint-card.js'),
  ]);
  return {
    checkpoint,
    actionHash: model.actionHash,
    text: cardText(model),
    blocks: cardBlocks(model),
  };
}
