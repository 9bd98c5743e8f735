/**
 * The once-only outbox bound for a surface: `send` is `sendOnce` (handlers/outbox/send-once.ts) on the
 * store's outbox, so a surface holds this object and never the outbox itself. Effects done before the
 * one outbox existed kept their result as `{ channelId, messageId }` (Discord) or `{ messageId }` (email,
 * the recipient in the payload's `to`); such a result is read as the message it names.
 */
import { z } from 'zod';
import type { ChatMessageRef, ChatTransport, OutgoingMessage } from '../../ports/chat-transport.js';
import type { OutboxEntry, OutboxRepository } from '../../ports/store.js';
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
    async send(transport, effect, send, render) {
      const ref = await sendOnce(outbox, transport, effect, send, render);
      if (ref !== null) return ref;
      return storedMessageRef(await outbox.get(effect.effectId));
    },
    async isDone(effectId) {
      return (await outbox.get(effectId))?.status === 'done';
    },
  };
}

const current = z.object({ channel: z.string(), messageId: z.string().min(1) }).loose();
const discordBefore = z.object({ channelId: z.string(), messageId: z.string().min(1) }).loose();
const mailBefore = z.object({ messageId: z.string().min(1) }).loose();
const mailPayload = z.object({ to: z.string() }).loose();

/** The message a done effect made, in any of the shapes results were stored in; null when none. */
export function storedMessageRef(entry: OutboxEntry | null): ChatMessageRef | null {
  if (entry === null || entry.status !== 'done') return null;
  const now = current.safeParse(entry.result);
  if (now.success) return { channel: now.data.channel, messageId: now.data.messageId };
  const discord = discordBefore.safeParse(entry.result);
  if (discord.success) return { channel: discord.data.channelId, messageId: discord.data.messageId };
  const mail = mailBefore.safeParse(entry.result);
  if (!mail.success) return null;
  const payload = mailPayload.safeParse(entry.payload);
  return { channel: payload.success ? payload.data.to : '', messageId: mail.data.messageId };
}
