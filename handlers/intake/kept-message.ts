/**
 * What a client message that is kept but not given to the brain shares (one over the rate limit, one the
 * surface must not answer): the client's conversation, and its result stored under the message's reply
 * effect (`reply:<key>`), so a repeat delivery of the event gets the same answer.
 */
import type { Conversation, Identity, Store } from '../../ports/store.js';
import type { ClientMessageResult, IncomingClientMessage } from './run-intake-turn.js';

export type KeptResult = Omit<ClientMessageResult, 'duplicate' | 'correlationId'>;

/** The sender's identity (created as a client if new) and the conversation of the message's thread. */
export async function keptConversation(
  store: Store,
  incoming: IncomingClientMessage,
): Promise<{ identity: Identity; conversation: Conversation }> {
  const identity = await store.identities.ensureByHandle(incoming.handle, {
    displayName: incoming.displayName,
    role: 'client',
  });
  const conversation = await store.conversations.ensure(incoming.surface, incoming.threadKey, identity.id);
  return { identity, conversation };
}

/**
 * Stores the kept message's result as its reply effect, done with `outcome`; marks the inbox entry done
 * unless the surface holds its claim (it marks the entry done itself).
 */
export async function storeKeptResult(
  store: Store,
  incoming: IncomingClientMessage,
  conversation: Conversation,
  stored: { reply: string; kind: string; outcome: Record<string, unknown> },
): Promise<KeptResult> {
  const result = {
    reply: stored.reply,
    conversationId: conversation.id,
    state: conversation.state,
    draft: conversation.draft,
    projectId: conversation.projectId,
    intent: 'other' as const,
    deferred: false,
  };
  const effectId = `reply:${incoming.key}`;
  await store.outbox.enqueue(effectId, stored.kind, {
    surface: incoming.surface,
    threadKey: incoming.threadKey,
    result,
  });
  await store.outbox.complete(effectId, stored.outcome);
  if (!incoming.claimed) await store.inbox.complete(incoming.key);
  return result;
}
