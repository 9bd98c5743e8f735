/**
 * Discord as a chat transport. Every post carries a nonce derived from the effect id with
 * `enforce_nonce`, so Discord itself folds a resend within its nonce window into the first message; a
 * post with `to.thread` is a reply to that message (`message_reference`); `extras.components` are the
 * message's components (buttons). `update` edits a message, `dm` opens the DM channel with the user
 * and posts there. `find`, after an attempt whose outcome is unknown, searches the channel's recent
 * messages for the bot's message with the effect's nonce or replying to the same message (Discord
 * returns nonces only to the sender's own session, so a reply's marker is what a lookup finds reliably).
 * `message.files` are the message's attachments, sent with it in one multipart request (`payload_json`
 * plus `files[n]`, each with its `attachments` entry: name and description), so the message and its files
 * arrive together or not at all; an edit leaves a message's attachments as they are.
 * There are no delivery lanes: discord.js paces requests per route itself.
 */
import { createHash } from 'node:crypto';
import { Routes, type RawFile, type REST } from 'discord.js';
import { z } from 'zod';
import {
  type ChatDestination,
  type ChatEffect,
  type ChatMessageRef,
  type ChatTransport,
  type OutgoingFile,
  type OutgoingMessage,
  fileBytes,
} from '../../ports/chat-transport.js';
import { NO_MENTIONS, outboundText } from './outbound-text.js';

export interface DiscordConnection {
  rest: REST;
  /** The bot's user id (a lookup only counts the bot's own messages). */
  botUserId: string;
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
const channel = z.object({ id: snowflake }).loose();

/** Milliseconds from the Unix epoch to Discord's (2015-01-01). */
const DISCORD_EPOCH = 1_420_070_400_000;
/** A lookup starts this long before the effect was asked for (clocks differ). */
const LOOKUP_SLACK_MS = 60_000;

/** Discord nonces are at most 25 characters: a hash of the effect id. */
export function nonceFor(effectId: string): string {
  return createHash('sha256').update(effectId).digest('hex').slice(0, 25);
}

/** The smallest snowflake of a moment: `after` it lists the messages made since. */
export function snowflakeAt(at: Date): string {
  return String(BigInt(Math.max(0, at.getTime() - DISCORD_EPOCH)) << 22n);
}

const components = z.array(z.unknown());

function body(message: OutgoingMessage): Record<string, unknown> {
  const parsed = components.safeParse(message.extras?.components);
  return {
    content: outboundText(message.text),
    allowed_mentions: NO_MENTIONS,
    ...(parsed.success ? { components: parsed.data } : {}),
  };
}

/** Discord's limit on an attachment's description. */
const DESCRIPTION_MAX = 1024;

/** The message's files as REST file parts and the `attachments` entries that describe them. */
function attachments(files: readonly OutgoingFile[]): {
  files: RawFile[];
  attachments: Array<{ id: number; filename: string; description?: string }>;
} {
  return {
    files: files.map((file, index) => ({
      key: `files[${index}]`,
      name: file.name,
      contentType: file.contentType,
      data: fileBytes(file),
    })),
    attachments: files.map((file, index) => ({
      id: index,
      filename: file.name,
      ...(file.title ? { description: file.title.slice(0, DESCRIPTION_MAX) } : {}),
    })),
  };
}

export function discordTransport(connection: DiscordConnection): ChatTransport {
  const { rest, botUserId } = connection;

  const openDm = async (userId: string): Promise<string> =>
    // Discord answers with the existing DM channel when there is one.
    channel.parse(await rest.post(Routes.userChannels(), { body: { recipient_id: userId } })).id;

  const post = async (
    effect: ChatEffect,
    to: ChatDestination,
    outgoing: OutgoingMessage,
  ): Promise<ChatMessageRef> => {
    const files = outgoing.files?.length ? attachments(outgoing.files) : null;
    const answer = message.parse(
      await rest.post(Routes.channelMessages(to.channel), {
        body: {
          ...body(outgoing),
          nonce: nonceFor(effect.effectId),
          enforce_nonce: true,
          ...(to.thread ? { message_reference: { message_id: to.thread, fail_if_not_exists: false } } : {}),
          ...(files ? { attachments: files.attachments } : {}),
        },
        ...(files ? { files: files.files } : {}),
      }),
    );
    return { channel: to.channel, messageId: answer.id };
  };

  return {
    surface: 'discord',
    post,
    async update(_effect, ref, outgoing) {
      message.parse(
        await rest.patch(Routes.channelMessage(ref.channel, ref.messageId), { body: body(outgoing) }),
      );
      return ref;
    },
    async dm(effect, userId, outgoing) {
      return post(effect, { channel: await openDm(userId) }, outgoing);
    },
    async find(effect, to) {
      const where: ChatDestination = 'userId' in to ? { channel: await openDm(to.userId) } : to;
      const since = new Date(effect.since.getTime() - LOOKUP_SLACK_MS);
      const query = new URLSearchParams({ limit: '100', after: where.thread ?? snowflakeAt(since) });
      const recent = z.array(message).parse(await rest.get(Routes.channelMessages(where.channel), { query }));
      const nonce = nonceFor(effect.effectId);
      const found = recent.find(
        (candidate) =>
          candidate.author?.id === botUserId &&
          (candidate.nonce === nonce ||
            (where.thread != null && candidate.message_reference?.message_id === where.thread)),
      );
      return found ? { channel: where.channel, messageId: found.id } : null;
    },
    inLane: (_to, work) => work(),
  };
}
