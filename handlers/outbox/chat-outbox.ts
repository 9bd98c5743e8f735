/**
 * The once-only outbox bound for a surface: `send` is `sendOnce` (handlers/outbox/send-once.ts) on the
 * store's outbox, so a surface holds this object and never the outbox itself. A done effect's
 * message is read from its stored result in any shape it was kept in (stored-message-ref.ts).
 */
import type { ChatMessageRef, ChatTransport, OutgoingMessage } from '../../ports/chat-transport.js';
import type { OutboxRepository } from '../../ports/store.js';
import { sendOnce, type ChatSend, type OnceEffect } from './send-once.js';

export interface ChatOutbox {
  /** Sends through `transport` unless done already; where the message is (null: done, no message). */
  send(
    transport: ChatTransport,
    effect: OnceEffect,
    send: ChatSend,
    render: () => Promise<OutgoingMessage> | OutgoingMessage,
  ): Promise<ChatMessageRef | null>;
  /** Whether the effect was done already (a reply that was sent spends no reply budget). */
  isDone(effectId: string): Promise<boolean>;
}

export function chatOutbox(outbox: OutboxRepository): ChatOutbox {
  return {
    send: (transport, effect, send, render) => sendOnce(outbox, transport, effect, send, render),
    async isDone(effectId) {
      return (await outbox.get(effectId))?.status === 'done';
    },
  };
}
