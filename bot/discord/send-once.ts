/**
 * One Discord message as an outbox effect, done once. Every send carries a nonce derived from the effect
 * id with `enforce_nonce`, so Discord itself folds a resend within its nonce window into the first message;
 * and when an earlier attempt's outcome is unknown (the outbox says attempts > 1), the channel's recent
 * messages are searched first for our reply to the same message before anything is sent again.
 */
import { createHash } from 'node:crypto';
import { Routes, type REST } from 'discord.js';
import { z } from 'zod';
import { OlympusError, errorMessage } from '../../common/errors.js';
import type { Store } from '../../ports/store.js';
import { NO_MENTIONS, outboundText } from './outbound-text.js';

export interface OnceSend {
  effectId: string;
  /** Outbox kind, e.g. `discord.reply`. */
  kind: string;
  channelId: string;
  /** The message this answers: sent as a reply to it, and the marker searched for on a retry. */
  replyTo?: string;
  /** The bot's user id (a retry only counts the bot's own messages). */
  botUserId: string;
  text: string;
  /** Message components (buttons), as Discord's API takes them. */
  components?: unknown[];
}

export interface SentRef {
  channelId: string;
  messageId: string;
}

const snowflake = z.string().regex(/^\d+$/);
const message = z
  .object({
    id: snowflake,
    author: z.object({ id: z.string() }).loose().optional(),
    nonce: z.union([z.string(), z.number()]).nullish(),
    message_reference: z.object({ message_id: z.string().optional() }).loose().nullish(),
  })
  .loose();
const stored = z.object({ channelId: z.string(), messageId: z.string() });

/** Discord nonces are at most 25 characters: a hash of the effect id. */
export function nonceFor(effectId: string): string {
  return createHash('sha256').update(effectId).digest('hex').slice(0, 25);
}

/** Sends unless done already; returns where the message is (null if a done effect left no result). */
export async function sendOnce(store: Store, rest: REST, send: OnceSend): Promise<SentRef | null> {
  const { effectId, channelId } = send;
  const nonce = nonceFor(effectId);
  await store.outbox.enqueue(effectId, send.kind, { channelId, replyTo: send.replyTo ?? null, nonce });
  const entry = await store.outbox.begin(effectId);
  if (entry === null) {
    const done = stored.safeParse((await store.outbox.get(effectId))?.result);
    return done.success ? done.data : null;
  }
  try {
    let messageId = entry.attempts > 1 ? await findSent(rest, send, nonce) : null;
    if (messageId === null) {
      const answer = message.parse(
        await rest.post(Routes.channelMessages(channelId), {
          body: {
            content: outboundText(send.text),
            nonce,
            enforce_nonce: true,
            allowed_mentions: NO_MENTIONS,
            ...(send.components ? { components: send.components } : {}),
            ...(send.replyTo
              ? { message_reference: { message_id: send.replyTo, fail_if_not_exists: false } }
              : {}),
          },
        }),
      );
      messageId = answer.id;
    }
    const ref: SentRef = { channelId, messageId };
    await store.outbox.complete(effectId, ref);
    return ref;
  } catch (error) {
    await store.outbox.fail(effectId, errorMessage(error));
    throw new OlympusError('SURFACE_UNAVAILABLE', `discord send ${effectId} failed: ${errorMessage(error)}`, {
      retryable: true,
      cause: error,
    });
  }
}

/** Our earlier message for this effect among the channel's recent ones (by nonce or by reply marker). */
async function findSent(rest: REST, send: OnceSend, nonce: string): Promise<string | null> {
  const query = new URLSearchParams({ limit: '100' });
  if (send.replyTo) query.set('after', send.replyTo);
  const recent = z.array(message).parse(await rest.get(Routes.channelMessages(send.channelId), { query }));
  const found = recent.find(
    (candidate) =>
      candidate.author?.id === send.botUserId &&
      (candidate.nonce === nonce ||
        (send.replyTo !== undefined && candidate.message_reference?.message_id === send.replyTo)),
  );
  return found?.id ?? null;
}
