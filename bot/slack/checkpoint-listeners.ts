/**
 * Bolt listeners for checkpoint cards: Approve decides at once; Modify and Reject first check the presser
 * may decide, then open a modal (within the trigger's ~3 s life); the modal's submission decides.
 * Every listener acks first; refusals and late presses get an ephemeral notice. A press carries the
 * action hash its card showed (button value, then the modal's metadata); a stale card decides nothing.
 */
import type { Context } from '@slack/bolt';
import { OlympusError } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { CardPresses } from '../../handlers/checkpoints/card-presses.js';
import type {
  DecideCheckpointResult,
  DecisionOutcome,
} from '../../handlers/checkpoints/decide-checkpoint.js';
import { CHECKPOINT_ACTIONS, parseCardValue } from './checkpoint-card.js';
import {
  MODAL_CALLBACKS,
  MODAL_INPUT,
  decisionModal,
  modalMetadata,
  type ModalMetadata,
} from './checkpoint-modals.js';
import {
  interactionUser,
  type BlockActions,
  type OriginUser,
  type SlackRequest,
  type ViewSubmission,
} from './payloads.js';
import type { ListenerRoutes } from './listener-routes.js';
import type { SlackWebClient } from './slack-client.js';
import { slackMention } from './slack-identities.js';
import type { SlackOperators } from './slack-operators.js';
import { REQUEST_PROPERTY } from './slack-receiver.js';

export interface CheckpointListenerDeps {
  /** Precheck, decision and the checkpoint a card names (handlers/checkpoints/card-presses.ts). */
  presses: CardPresses;
  logger: Logger;
  opsChannel: string | null;
  /** Who may decide (configured TOs and the TO user group). */
  operators: SlackOperators;
}

export function registerCheckpointListeners(routes: ListenerRoutes, deps: CheckpointListenerDeps): void {
  const { presses } = deps;

  const pressed = (body: BlockActions) => pressOf(body, deps.opsChannel);

  async function decide(
    user: OriginUser,
    id: string,
    actionHash: string | null,
    outcome: DecisionOutcome,
    note?: string,
  ) {
    return presses.decide({
      checkpointId: id,
      // Still being looked up: the decision reads the checkpoint meanwhile.
      decider: deps.operators.decider(user),
      deciderLabel: deps.operators.label(user),
      outcome,
      actionHash,
      ...(outcome === 'modified' && note !== undefined ? { changes: note } : {}),
      ...(outcome === 'rejected' && note !== undefined ? { reason: note } : {}),
    });
  }

  routes.action(CHECKPOINT_ACTIONS.approve, async ({ ack, context, client }) => {
    await ack();
    const press = pressed(blockActionsOf(context));
    if (press.checkpointId === null) return invalidCard(client, press);
    const result = await decide(press.user, press.checkpointId, press.actionHash, 'approved');
    await tellOutcome(client, press.channel, press.userId, result);
  });

  for (const kind of ['modify', 'reject'] as const) {
    routes.action(CHECKPOINT_ACTIONS[kind], async ({ ack, context, client }) => {
      await ack();
      const body = blockActionsOf(context);
      const press = pressed(body);
      if (press.checkpointId === null) return invalidCard(client, press);
      const decider = await deps.operators.decider(press.user);
      const outcome = kind === 'modify' ? 'modified' : 'rejected';
      const blocked = await presses.precheck({
        checkpointId: press.checkpointId,
        decider,
        deciderLabel: deps.operators.label(press.user),
        outcome,
        actionHash: press.actionHash,
      });
      if (blocked !== null) return tellOutcome(client, press.channel, press.userId, blocked);
      const checkpoint = await presses.checkpoint(press.checkpointId);
      const view = decisionModal(kind, checkpoint?.request.title ?? 'Checkpoint', {
        checkpointId: press.checkpointId,
        channel: press.channel,
        actionHash: press.actionHash,
      });
      // slack-block-builder's modal object is the JSON Slack expects; the SDK types it separately.
      await client.views.open({
        trigger_id: body.trigger_id,
        view: view as Parameters<typeof client.views.open>[0]['view'],
      });
    });

    routes.view(MODAL_CALLBACKS[kind], async ({ ack, context, client }) => {
      const body = viewSubmissionOf(context);
      const text = body.view.state.values[MODAL_INPUT.blockId]?.[MODAL_INPUT.actionId]?.value?.trim() ?? '';
      if (text === '') {
        const missing = kind === 'modify' ? 'Please say what should change.' : 'Please give a reason.';
        await ack({ response_action: 'errors', errors: { [MODAL_INPUT.blockId]: missing } });
        return;
      }
      await ack();
      const metadata = parseMetadata(body.view.private_metadata);
      if (metadata === null) {
        deps.logger.warn('checkpoint modal without valid metadata: nothing decided', { view: body.view.id });
        return;
      }
      const outcome = kind === 'modify' ? 'modified' : 'rejected';
      const seen = metadata.actionHash ?? null;
      const result = await decide(interactionUser(body), metadata.checkpointId, seen, outcome, text);
      await tellOutcome(client, metadata.channel, body.user.id, result);
    });
  }
}

/** An ephemeral notice of a decision that did not happen (refused, already decided, gone). */
export async function tellOutcome(
  client: SlackWebClient,
  channel: string,
  user: string,
  result: DecideCheckpointResult,
): Promise<void> {
  if (result.status === 'decided' || channel === '') return;
  const text =
    result.status === 'already_decided'
      ? `This checkpoint was already ${result.checkpoint.status} by ${
          result.decidedBy ? slackMention(result.decidedBy) : 'someone else'
        }.`
      : result.message;
  await client.chat.postEphemeral({ channel, user, text });
}

export async function invalidCard(
  client: SlackWebClient,
  press: { channel: string; userId: string },
): Promise<void> {
  if (press.channel === '') return;
  await client.chat.postEphemeral({
    channel: press.channel,
    user: press.userId,
    text: 'This card does not name a valid checkpoint; nothing was decided.',
  });
}

/** Who pressed which card button (with their own team), and what the card showed. */
export function pressOf(body: BlockActions, opsChannel: string | null) {
  const action = body.actions[0];
  const value = parseCardValue(action?.value);
  return {
    userId: body.user.id,
    user: interactionUser(body),
    channel: body.channel?.id ?? opsChannel ?? '',
    checkpointId: value?.checkpointId ?? null,
    actionHash: value?.actionHash ?? null,
  };
}

export function parseMetadata(text: string): ModalMetadata | null {
  try {
    const parsed = modalMetadata.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function requestOf(context: Context): SlackRequest {
  const request = context[REQUEST_PROPERTY] as SlackRequest | undefined;
  if (!request) throw new OlympusError('INTERNAL', 'slack listener called without a validated request');
  return request;
}

export function blockActionsOf(context: Context): BlockActions {
  const request = requestOf(context);
  if (request.kind !== 'block_actions')
    throw new OlympusError('INTERNAL', `expected block_actions, got ${request.kind}`);
  return request.body;
}

export function viewSubmissionOf(context: Context): ViewSubmission {
  const request = requestOf(context);
  if (request.kind !== 'view_submission') {
    throw new OlympusError('INTERNAL', `expected view_submission, got ${request.kind}`);
  }
  return request.body;
}
