/**
 * Client DMs: a message a person writes in a DM to the bot goes to the intake handler (Hermes) under the
 * inbox key `discord:message:<id>` (a repeat delivery gets the stored reply, nothing runs twice); the reply
 * goes back to the DM through the outbox (effect `discord.reply:<id>`), so a retry never answers twice.
 * When the turn confirms a project and a projects channel is configured, the project gets its thread.
 */
import type { Message, REST } from 'discord.js';
import { z } from 'zod';
import type { Logger } from '../../common/logging/logger.js';
import type {
  ClientMessageResult,
  IncomingClientMessage,
} from '../../handlers/intake/handle-client-message.js';
import type { Store } from '../../ports/store.js';
import { briefButtons } from './brief-buttons.js';
import { ensureProjectThread } from './project-thread.js';
import { sendOnce } from './send-once.js';

/** The intake entry point (ClientMessageHandler satisfies it). */
export interface DiscordIntake {
  dispatch(incoming: IncomingClientMessage): Promise<ClientMessageResult>;
}

export interface DirectMessageContext {
  intake: DiscordIntake;
  store: Store;
  rest: REST;
  botUserId: string;
  projectsChannel: string | null;
  guildId: string | null;
  logger: Logger;
}

const snowflake = z.string().regex(/^\d+$/);

/** What we take from a discord.js Message: a person's plain DM with some text. */
const directMessage = z.object({
  id: snowflake,
  channelId: snowflake,
  guildId: z.null(),
  content: z.string().trim().min(1).max(4000),
  author: z.object({
    id: snowflake,
    bot: z.literal(false),
    username: z.string(),
    globalName: z.string().nullable(),
  }),
  system: z.literal(false),
  webhookId: z.null(),
});

export type DirectMessage = z.infer<typeof directMessage>;

/** The DM as plain data, or null when it is not one Hermes answers (bots, guild posts, system, empty). */
export function readDirectMessage(message: Message, botUserId: string): DirectMessage | null {
  if (message.author.id === botUserId) return null;
  const parsed = directMessage.safeParse({
    id: message.id,
    channelId: message.channelId,
    guildId: message.guildId,
    content: message.content,
    author: {
      id: message.author.id,
      bot: message.author.bot,
      username: message.author.username,
      globalName: message.author.globalName,
    },
    system: message.system,
    webhookId: message.webhookId ?? null,
  });
  return parsed.success ? parsed.data : null;
}

export async function handleDirectMessage(context: DirectMessageContext, dm: DirectMessage): Promise<void> {
  const result = await context.intake.dispatch({
    key: `discord:message:${dm.id}`,
    surface: 'discord',
    handle: { surface: 'discord', externalId: dm.author.id },
    displayName: dm.author.globalName ?? dm.author.username,
    threadKey: dm.channelId,
    text: dm.content,
  });
  // An empty reply (a message over the client's rate limit) is recorded but not answered.
  if (result.reply === '') return;
  await sendOnce(context.store, context.rest, {
    effectId: `discord.reply:${dm.id}`,
    kind: 'discord.reply',
    channelId: dm.channelId,
    replyTo: dm.id,
    botUserId: context.botUserId,
    text: result.reply,
    ...(result.state === 'confirming' && !result.deferred
      ? { components: briefButtons(result.conversationId) }
      : {}),
  });
  await afterTurn(context, result);
}

/** Once a turn confirmed a project and a projects channel is configured, the project gets its thread. */
export async function afterTurn(
  context: DirectMessageContext,
  result: Pick<ClientMessageResult, 'projectId'>,
): Promise<void> {
  if (result.projectId !== null && context.projectsChannel !== null) {
    const threadId = await ensureProjectThread(
      {
        store: context.store,
        rest: context.rest,
        botUserId: context.botUserId,
        channelId: context.projectsChannel,
        guildId: context.guildId,
      },
      result.projectId,
    );
    context.logger.info('discord project thread ready', { projectId: result.projectId, threadId });
  }
}
