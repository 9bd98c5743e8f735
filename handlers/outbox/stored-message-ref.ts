/**
 * The message a done outbox effect made, read from its stored result. The one outbox keeps
 * `{ channel, messageId }`; effects done before it kept `{ channel, ts }` (Slack), `{ channelId, messageId }`
 * (Discord) or `{ messageId }` (email, the recipient in the payload's `to`); each is read as the message it
 * names.
 */
import { z } from 'zod';
import type { ChatMessageRef } from '../../ports/chat-transport.js';
import type { OutboxEntry } from '../../ports/store.js';

const current = z.object({ channel: z.string(), messageId: z.string().min(1) }).loose();
const slackBefore = z.object({ channel: z.string(), ts: z.string().min(1) }).loose();
const discordBefore = z.object({ channelId: z.string(), messageId: z.string().min(1) }).loose();
const mailBefore = z.object({ messageId: z.string().min(1) }).loose();
const mailPayload = z.object({ to: z.string() }).loose();

/** The message a done effect made, in any of the shapes results were stored in; null when none. */
export function storedMessageRef(entry: OutboxEntry | null): ChatMessageRef | null {
  if (entry === null || entry.status !== 'done') return null;
  const now = current.safeParse(entry.result);
  if (now.success) return { channel: now.data.channel, messageId: now.data.messageId };
  const slack = slackBefore.safeParse(entry.result);
  if (slack.success) return { channel: slack.data.channel, messageId: slack.data.ts };
  const discord = discordBefore.safeParse(entry.result);
  if (discord.success) return { channel: discord.data.channelId, messageId: discord.data.messageId };
  const mail = mailBefore.safeParse(entry.result);
  if (!mail.success) return null;
  const payload = mailPayload.safeParse(entry.payload);
  return { channel: payload.success ? payload.data.to : '', messageId: mail.data.messageId };
}
