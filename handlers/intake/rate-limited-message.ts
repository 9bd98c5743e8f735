/**
 * A client message over the per-client rate limit: kept (inbox entry and conversation) but not given to
 * the brain. The first one over the limit in a window gets the notice as its reply (audited once); the
 * others get an empty reply, which surfaces do not send. The result is stored like any reply, so a repeat
 * delivery of the event gets the same answer.
 */
import type { Store } from '../../ports/store.js';
import type { RateDecision } from './client-rate-limit.js';
import { rateLimitNotice } from './client-rate-limit.js';
import { keptConversation, storeKeptResult, type KeptResult } from './kept-message.js';
import type { IncomingClientMessage } from './run-intake-turn.js';

export const RATE_LIMITED_REPLY_KIND = 'hermes.rate_limited';

export async function recordRateLimited(
  store: Store,
  incoming: IncomingClientMessage,
  decision: Exclude<RateDecision, 'allowed'>,
  perMinute: number,
  now: () => Date,
): Promise<KeptResult> {
  const { identity, conversation: ensured } = await keptConversation(store, incoming);
  let conversation =
    (await store.conversations.appendMessage(ensured.id, {
      at: now(),
      from: 'client',
      text: incoming.text,
    })) ?? ensured;
  const reply = decision === 'notice' ? rateLimitNotice(perMinute) : '';
  if (decision === 'notice') {
    conversation =
      (await store.conversations.appendMessage(conversation.id, {
        at: now(),
        from: 'hermes',
        text: reply,
      })) ?? conversation;
    await store.audit.append({
      actor: identity.id,
      action: 'intake.rate_limited',
      subjectType: 'identity',
      subjectId: identity.id,
      data: { perMinute, surface: incoming.surface, firstKey: incoming.key },
    });
  }
  // A surface holding the entry's claim marks it done itself, once it has sent the reply.
  return storeKeptResult(store, incoming, conversation, {
    reply,
    kind: RATE_LIMITED_REPLY_KIND,
    outcome: { deliveredBy: 'caller', rateLimited: decision },
  });
}
