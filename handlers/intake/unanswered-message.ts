/**
 * A client message the surface must not answer (its loop guard said so, e.g. `X-Auto-Response-Suppress`
 * or `Precedence: auto_reply` on a mail): kept in the conversation exactly once, never given to the brain,
 * stored with an empty reply (which surfaces do not send), so a repeat delivery gets the same answer.
 */
import type { Store } from '../../ports/store.js';
import { keptConversation, storeKeptResult, type KeptResult } from './kept-message.js';
import { keepClientMessage, type IncomingClientMessage } from './run-intake-turn.js';

export const UNANSWERED_REPLY_KIND = 'hermes.unanswered';

export async function recordUnanswered(
  store: Store,
  incoming: IncomingClientMessage & { noReply: string },
  now: () => Date,
): Promise<KeptResult> {
  const { conversation: ensured } = await keptConversation(store, incoming);
  const conversation =
    (await keepClientMessage({ store, now }, ensured.id, incoming.key, incoming.text)) ?? ensured;
  return storeKeptResult(store, incoming, conversation, {
    reply: '',
    kind: UNANSWERED_REPLY_KIND,
    outcome: { deliveredBy: 'none', noReply: incoming.noReply },
  });
}
