/**
 * Slack's side of checkpoint cards (handlers/checkpoints/card-sync.ts keeps them in line with the
 * checkpoints): cards go to SLACK_OPS_CHANNEL through the Slack transport, rendered as Block Kit
 * (checkpoint-card.ts) with the decider shown as a mention.
 */
import type { Logger } from '../../common/logging/logger.js';
import type { CardSurface, CardView } from '../../handlers/checkpoints/card-sync.js';
import type { OutgoingMessage } from '../../ports/chat-transport.js';
import type { Checkpoint } from '../../ports/domain.js';
import { cardBlocks, cardText, type CardModel } from './checkpoint-card.js';
import { slackMention } from './slack-identities.js';
import { slackOutbound, type SlackOutbound } from './slack-outbound.js';
import type { SlackSettings } from './slack-settings.js';

export interface SlackCardSurfaceOptions {
  settings: SlackSettings;
  logger: Logger;
  /** Defaults to the shared client and channel queue of `settings`. */
  outbound?: SlackOutbound;
  /** Told once per decision, when its card shows it (metrics). */
  onDecisionShown?: (checkpoint: Checkpoint) => void;
}

export function renderSlackCard(view: CardView): OutgoingMessage {
  const model: CardModel = {
    checkpoint: view.checkpoint,
    project: view.project,
    task: view.task,
    decidedBy: view.decider ? slackMention(view.decider) : null,
  };
  return { text: cardText(model), extras: { blocks: cardBlocks(model) } };
}

export function slackCardSurface(options: SlackCardSurfaceOptions): CardSurface {
  const { transport } = options.outbound ?? slackOutbound(options.settings, options.logger);
  return {
    transport,
    channel: options.settings.opsChannel,
    render: renderSlackCard,
    ...(options.onDecisionShown ? { onDecisionShown: options.onDecisionShown } : {}),
  };
}
