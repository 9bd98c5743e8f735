/**
 * A client message the surface must not answer (its loop guard said so, e.g. `X-Auto-Response-Suppress`
 * or `Precedence: auto_reply` on a mail): kept in the conversation exactly once, never given to the brain,
 * stored with an empty reply (which surfaces do not send), so a repeat delivery gets the same answer.
 */
import type { Store } from '../../ports/store.js';
import {
  keepClientMessage,
  type ClientMessageResult,
  type IncomingClientMessage,
} from './run-intake-turn.js';

export const UNANSWERED_REPLY_KIND = 'hermes.unanswered';

export async function recordUnanswered(
  store: Store,
  incoming: IncomingClientMessage & { noReply: string },
  now: () => Date,
): Promise<Omit<ClientMessageResult, 'duplicate' | 'correlationId'>> {
  const identity = await store.identities.ensureByHandle(incoming.handle, {
    displayName: incoming.displayName,
    role: 'client',
  });
  const ensured = await store.conversations.ensure(incoming.surface, incoming.threadKey, identity.id);
  const conversation =
    (await keepClientMessage({ store, now }, ensured.id, incoming.key, incoming.text)) ?? ensured;
  const result = {
    reply: '',
    conversationId: conversation.id,
    state: conversation.state,
    draft: conversation.draft,
    projectId: conversation.projectId,
    intent: 'other' as const,
    deferred: false,
  };
  const effectId = `reply:${incoming.key}`;
  await store.outbox.enqueue(effectId, UNANSWERED_REPLY_KIND, {
    surface: incoming.surface,
    threadKey: incoming.threadKey,
    result,
  });
  await store.outbox.complete(effectId, { deliveredBy: 'none', noReply: incoming.noReply });
  // A surface holding the entry's claim marks it done itself.
  if (!incoming.claimed) await store.inbox.complete(incoming.key);
  return result;
}
