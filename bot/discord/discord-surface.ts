/**
 * The Discord surface: a discord.js client on the gateway. Clients DM the bot and Hermes answers in the DM;
 * a confirmed project gets a thread in the configured projects channel. Creating it does no I/O; `start()`
 * logs in and waits for READY (a refused token is a CONFIG_INVALID error); `stop()` waits for the messages
 * in hand and closes the connection.
 */
import { Client, Events, GatewayIntentBits, Partials, type Interaction, type Message } from 'discord.js';
import { handleBriefButton, readButtonPress } from './brief-interactions.js';
import { OlympusError, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { ChatMessageRef } from '../../ports/chat-transport.js';
import { logConnectionState } from './connection-log.js';
import {
  handleDirectMessage,
  readDirectMessage,
  type DirectMessageContext,
  type DiscordIntake,
  type DiscordUseCases,
} from './direct-messages.js';
import type { DiscordSettings } from './discord-settings.js';
import { discordTransport } from './discord-transport.js';
import { NO_MENTIONS } from './outbound-text.js';
import { sendProjectNotice, type ProjectNotice } from './project-notice.js';
import { discordNotifier } from './discord-notifier.js';
import type { SurfaceNotifier } from '../../ports/surface-notifier.js';

export type { DiscordSettings } from './discord-settings.js';
export type { DiscordIntake, DiscordUseCases } from './direct-messages.js';
export type { ProjectNotice } from './project-notice.js';

export interface DiscordSurfaceOptions {
  settings: DiscordSettings;
  /** The inbox, the outbox and project threads (handlers/surface-use-cases.ts). */
  useCases: DiscordUseCases;
  /** Where client DMs go (the ClientMessageHandler). */
  intake: DiscordIntake;
  logger: Logger;
}

export interface DiscordSurface {
  start(): Promise<void>;
  stop(): Promise<void>;
  /**
   * Posts Hermes's words (a digest, a notice) into the project's Discord thread, once per effect id.
   * Resolves where it was posted, or null when the project has no Discord thread. Needs a started surface.
   */
  notify(notice: ProjectNotice): Promise<ChatMessageRef | null>;
  /** This surface as a notice deliverer (registered with the notifier registry). */
  readonly notifier: SurfaceNotifier;
  /** Resolves when the messages received so far have been handled (tests). */
  settled(): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 15_000;

export function createDiscordSurface(options: DiscordSurfaceOptions): DiscordSurface {
  const { settings, useCases, intake } = options;
  const logger = options.logger.child({ component: 'discord' });
  const inFlight = new Set<Promise<void>>();
  let client: Client | null = null;
  let started: DirectMessageContext | null = null;
  const notifier = discordNotifier(useCases.outbox, () => started?.transport ?? null);

  const onMessage = (context: DirectMessageContext, message: Message): void => {
    const dm = readDirectMessage(message, context.botUserId);
    if (dm === null) {
      logger.debug('discord message ignored (not a person’s DM with text)', { messageId: message.id });
      return;
    }
    const work = handleDirectMessage(context, dm).catch((error: unknown) => {
      logger.error('discord message failed', { messageId: dm.id, error: errorMessage(error) });
    });
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  const onInteraction = (context: DirectMessageContext, interaction: Interaction): void => {
    const press = readButtonPress(interaction);
    if (press === null) {
      logger.debug('discord interaction ignored (not a button in a DM)', { interactionId: interaction.id });
      return;
    }
    const work = handleBriefButton(context, press).catch((error: unknown) => {
      logger.error('discord interaction failed', { interactionId: press.id, error: errorMessage(error) });
    });
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };

  return {
    async start() {
      if (client) return;
      const created = new Client({
        intents: [
          GatewayIntentBits.Guilds,
          GatewayIntentBits.GuildMessages,
          GatewayIntentBits.DirectMessages,
          GatewayIntentBits.MessageContent,
        ],
        partials: [Partials.Channel],
        allowedMentions: NO_MENTIONS,
        rest: {
          ...(settings.apiUrl ? { api: settings.apiUrl } : {}),
          timeout: settings.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          retries: 1,
        },
      });
      logConnectionState(created, logger);
      const ready = new Promise<Client<true>>((resolve) => created.once(Events.ClientReady, resolve));
      try {
        await created.login(settings.botToken);
      } catch (error) {
        await created.destroy();
        throw loginError(error);
      }
      const live = await ready;
      const liveContext: DirectMessageContext = {
        intake,
        useCases,
        transport: discordTransport({ rest: live.rest, botUserId: live.user.id }),
        rest: live.rest,
        botUserId: live.user.id,
        projectsChannel: settings.projectsChannel,
        logger,
      };
      live.on(Events.MessageCreate, (message) => onMessage(liveContext, message));
      live.on(Events.InteractionCreate, (interaction) => onInteraction(liveContext, interaction));
      if (settings.guildId !== null && !live.guilds.cache.has(settings.guildId)) {
        logger.warn('the bot is not in DISCORD_GUILD_ID; invite it there', { guildId: settings.guildId });
      }
      client = live;
      started = liveContext;
      logger.info('discord surface started', { user: live.user.tag, guilds: live.guilds.cache.size });
    },
    async stop() {
      const running = client;
      client = null;
      started = null;
      if (running) {
        running.removeAllListeners(Events.MessageCreate);
        running.removeAllListeners(Events.InteractionCreate);
      }
      await Promise.all([...inFlight]);
      await running?.destroy();
    },
    async notify(notice) {
      if (started === null) {
        throw new OlympusError('SURFACE_UNAVAILABLE', 'the discord surface is not started', {
          retryable: true,
        });
      }
      return sendProjectNotice(started, notice);
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    notifier,
  };
}

function loginError(error: unknown): OlympusError {
  const code = (error as { code?: unknown }).code;
  const status = (error as { status?: unknown }).status;
  if (code === 'TokenInvalid' || status === 401) {
    return new OlympusError(
      'CONFIG_INVALID',
      'Discord refused DISCORD_BOT_TOKEN (401): check the bot token',
      {
        userMessage: 'Discord is misconfigured; an operator must fix DISCORD_BOT_TOKEN.',
        cause: error,
      },
    );
  }
  return new OlympusError('SURFACE_UNAVAILABLE', `Discord login failed: ${errorMessage(error)}`, {
    retryable: true,
    cause: error,
    userMessage: 'Discord is unreachable right now.',
  });
}
