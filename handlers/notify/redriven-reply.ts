/**
 * A reply the intake could only give later (the `intake.redrive` job answered a deferred message): it is in
 * the conversation already, and is recorded here as a client notice for the conversation's own thread, so
 * it reaches the client on their surface once (the `client.notify.sweep` job delivers it).
 */
import type { Store } from '../../ports/store.js';
import { recordNotice } from '../../orchestration/notices/record-notice.js';

export async function recordRedrivenReply(
  store: Store,
  eventKey: string,
  result: { conversationId: string; reply: string },
): Promise<string[]> {
  const conversation = await store.conversations.get(result.conversationId);
  if (!conversation) return [];
  return recordNotice(store, {
    effectId: `reply:${eventKey}`,
    kind: 'reply',
    text: result.reply,
    project: null,
    conversation,
    inConversation: true,
  });
}
