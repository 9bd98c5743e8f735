/**
 * Provide credential on a credential checkpoint's card: the press is checked (only TOs, card current),
 * then a modal with one secret input opens; its submission hands the value to the credential provider
 * (vault, then approval) and nothing else. The value is never posted, logged or stored: the inbox keeps
 * the submission with the value replaced (payloads.ts), and a replay of it asks the TO to provide it again.
 */
import type { Logger } from '../../common/logging/logger.js';
import type { CardPresses } from '../../handlers/checkpoints/card-presses.js';
import { CHECKPOINT_ACTIONS } from './checkpoint-card.js';
import {
  blockActionsOf,
  invalidCard,
  parseMetadata,
  pressOf,
  tellOutcome,
  viewSubmissionOf,
} from './checkpoint-listeners.js';
import {
  CREDENTIAL_CALLBACK,
  CREDENTIAL_INPUT,
  REDACTED_VALUE,
  credentialModal,
} from './checkpoint-modals.js';
import type { ListenerRoutes } from './listener-routes.js';
import { interactionUser } from './payloads.js';
import type { SlackOperators } from './slack-operators.js';

export interface CredentialListenerDeps {
  /**
   * Precheck, the checkpoint a card names, and providing the value (vault, then approval); without a
   * vault in this process (`takesCredentials` false) the submission explains that nothing can be stored.
   */
  presses: CardPresses;
  logger: Logger;
  opsChannel: string | null;
  operators: SlackOperators;
}

export function registerCredentialListeners(routes: ListenerRoutes, deps: CredentialListenerDeps): void {
  const { presses, logger } = deps;

  routes.action(CHECKPOINT_ACTIONS.provideCredential, async ({ ack, context, client }) => {
    await ack();
    const body = blockActionsOf(context);
    const press = pressOf(body, deps.opsChannel);
    if (press.checkpointId === null) return invalidCard(client, press);
    const decider = await deps.operators.decider(press.user);
    const blocked = await presses.precheck({
      checkpointId: press.checkpointId,
      decider,
      deciderLabel: deps.operators.label(press.user),
      outcome: 'approved',
      actionHash: press.actionHash,
    });
    if (blocked !== null) return tellOutcome(client, press.channel, press.userId, blocked);
    const checkpoint = await presses.checkpoint(press.checkpointId);
    const name = credentialName(checkpoint?.request.details.credential);
    const view = credentialModal(checkpoint?.request.title ?? 'Credential', name, {
      checkpointId: press.checkpointId,
      channel: press.channel,
      actionHash: press.actionHash,
    });
    await client.views.open({
      trigger_id: body.trigger_id,
      view: view as Parameters<typeof client.views.open>[0]['view'],
    });
  });

  routes.view(CREDENTIAL_CALLBACK, async ({ ack, context, client }) => {
    const body = viewSubmissionOf(context);
    const value = body.view.state.values[CREDENTIAL_INPUT.blockId]?.[CREDENTIAL_INPUT.actionId]?.value ?? '';
    if (value.trim() === '') {
      await ack({
        response_action: 'errors',
        errors: { [CREDENTIAL_INPUT.blockId]: 'Please enter the value.' },
      });
      return;
    }
    await ack();
    const metadata = parseMetadata(body.view.private_metadata);
    if (metadata === null) {
      logger.warn('credential modal without valid metadata: nothing stored', { view: body.view.id });
      return;
    }
    const user = body.user.id;
    const say = (text: string) => client.chat.postEphemeral({ channel: metadata.channel, user, text });
    if (value === REDACTED_VALUE) {
      // A replay from the inbox: the value was never kept, so it cannot be stored now.
      logger.warn('a credential submission was replayed without its value', {
        checkpointId: metadata.checkpointId,
      });
      await say('The credential you submitted could not be stored. Please press Provide credential again.');
      return;
    }
    if (!presses.takesCredentials) {
      await say('No vault is available in this process; the credential was not stored.');
      return;
    }
    try {
      const result = await presses.provideCredential({
        checkpointId: metadata.checkpointId,
        value,
        by: await deps.operators.decider(interactionUser(body)),
        byLabel: deps.operators.label(interactionUser(body)),
        actionHash: metadata.actionHash ?? null,
      });
      if (result.status === 'decided') {
        await say('The credential is stored in the vault and the checkpoint approved.');
      } else if (result.status === 'invalid') {
        await say(result.message);
      } else {
        await tellOutcome(client, metadata.channel, user, result);
      }
    } catch (error) {
      // The error names the step, never the value (vault errors carry names and versions only).
      logger.error('storing a provided credential failed', {
        checkpointId: metadata.checkpointId,
        code: (error as { code?: unknown }).code ?? null,
      });
      await say(
        `The credential could not be stored (${errorCode(error)}); nothing was approved. Please try again.`,
      );
    }
  });
}

/** The credential's name as a checkpoint names it (`credential: "name"` or `{ name }`). */
function credentialName(credential: unknown): string {
  if (typeof credential === 'string' && credential !== '') return credential;
  const name = (credential as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' && name !== '' ? name : 'the credential';
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : 'unexpected error';
}
