/**
 * Hermes's words written straight into a conversation: the web console's "channel" is the conversation
 * in the store, so a console reply or notice is a Hermes message appended to it.
 */
import type { Conversation, Store } from '../../ports/store.js';

export interface AppendedMessage {
  conversation: Conversation;
  /** The message's position in the conversation. */
  index: number;
}

export interface ConversationMessages {
  /** Appends Hermes's message; null when there is no such conversation. */
  appendHermes(conversationId: string, text: string, at?: Date): Promise<AppendedMessage | null>;
  /** The console conversation of a person (thread key `<surface>:<id>`, e.g. `console:tina`). */
  consoleConversation(threadKey: string): Promise<Conversation | null>;
}

export function conversationMessages(store: Pick<Store, 'conversations'>): ConversationMessages {
  return {
    async appendHermes(conversationId, text, at = new Date()) {
      const conversation = await store.conversations.appendMessage(conversationId, {
        at,
        from: 'hermes',
        text,
      });
      return conversation ? { conversation, index: conversation.messages.length - 1 } : null;
    },
    consoleConversation: (threadKey) => store.conversations.findByThread('console', threadKey),
  };
}
