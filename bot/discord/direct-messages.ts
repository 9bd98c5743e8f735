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
import type { SurfaceUseCases } from '../../handlers/surface-use-cases.js';
import type { ChatTransport } from '../../ports/chat-transport.js';
import { briefButtons } from './brief-buttons.js';
import { ensureProjectThread } from './project-thread.js';

/** The intake entry point (ClientMessageHandler satisfies it). */
export interface DiscordIntake {
  dispatch(incoming: IncomingClientMessage): Promise<ClientMessageResult>;
}

/** What the Discord surface needs of the use cases: the inbox, the outbox and project threads. */
export type DiscordUseCases = Pick<SurfaceUseCases, 'inbound' | 'outbox' | 'threads'>;

export interface DirectMessageContext {
  intake: DiscordIntake;
  useCases: DiscordUseCases;
  transport: ChatTransport;
  rest: REST;
  botUserId: string;
  projectsChannel: string | null;
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
  const withButtons = result.state === 'confirming' && !result.deferred;
  await replyInDm(context, `discord.reply:${dm.id}`, { channel: dm.channelId, thread: dm.id }, result.reply, {
    ...(withButtons ? { components: briefButtons(result.conversationId) } : {}),
  });
  await afterTurn(context, result);
}

/** Hermes's answer to a message in a DM (a reply to it), once per effect id. */
export async function replyInDm(
  context: Pick<DirectMessageContext, 'useCases' | 'transport'>,
  effectId: string,
  to: { channel: string; thread: string },
  text: string,
  extras: Record<string, unknown> = {},
): Promise<void> {
  await context.useCases.outbox.send(
    context.transport,
    { effectId, kind: 'discord.reply' },
    { op: 'post', to },
    () => ({ text, extras }),
  );
}

/** Once a turn confirmed a project and a projects channel is configured, the project gets its thread. */
export async function afterTurn(
  context: DirectMessageContext,
  result: Pick<ClientMessageResult, 'projectId'>,
): Promise<void> {
  if (result.projectId !== null && context.projectsChannel !== null) {
    const threadId = await ensureProjectThread(
      {
        threads: context.useCases.threads,
        outbox: context.useCases.outbox,
        transport: context.transport,
        rest: context.rest,
        channelId: context.projectsChannel,
      },
      result.projectId,
    );
    context.logger.info('discord project thread ready', { projectId: result.projectId, threadId });
  }
}
