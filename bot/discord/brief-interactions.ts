/**
 * A press of the Confirm / Change buttons under a brief in a DM. The interaction id is the inbox key
 * (`discord:interaction:<id>`): the press is stored first, then acknowledged at once (an UPDATE_MESSAGE
 * callback that also removes the buttons, well inside Discord's 3 seconds), then handled. A repeated
 * interaction id (a gateway replay) finds its key taken and is dropped (unless the earlier attempt failed):
 * handled once. Confirm goes to Hermes as the client's "yes", on the press's own inbox entry (one row per
 * press); Change asks what to change. The reply goes through the outbox.
 */
import { Routes, type Interaction } from 'discord.js';
import { z } from 'zod';
import { errorMessage } from '../../common/errors.js';
import { readBriefButton } from './brief-buttons.js';
import { afterTurn, replyInDm, type DirectMessageContext } from './direct-messages.js';

const snowflake = z.string().regex(/^\d+$/);
const buttonPress = z.object({
  id: snowflake,
  token: z.string().min(1).max(500),
  channelId: snowflake,
  guildId: z.null(),
  customId: z.string().max(100),
  messageId: snowflake,
  user: z.object({ id: snowflake, username: z.string(), globalName: z.string().nullable() }),
});

export type ButtonPress = z.infer<typeof buttonPress>;

export const CHANGE_PROMPT =
  "Sure. Tell me what to change, e.g. 'budget: $15k', 'deadline: 2027-03-01' or 'title: Salon Booking', and I'll show you the brief again.";

/** A button pressed in a DM, as plain data; null for anything else. */
export function readButtonPress(interaction: Interaction): ButtonPress | null {
  if (!interaction.isButton()) return null;
  const parsed = buttonPress.safeParse({
    id: interaction.id,
    token: interaction.token,
    channelId: interaction.channelId,
    guildId: interaction.guildId,
    customId: interaction.customId,
    messageId: interaction.message.id,
    user: {
      id: interaction.user.id,
      username: interaction.user.username,
      globalName: interaction.user.globalName,
    },
  });
  return parsed.success ? parsed.data : null;
}

export async function handleBriefButton(context: DirectMessageContext, press: ButtonPress): Promise<void> {
  const { useCases, logger } = context;
  const button = readBriefButton(press.customId);
  const key = `discord:interaction:${press.id}`;
  const fresh = await useCases.inbound.receive(key, 'discord', {
    kind: 'discord.button',
    interactionId: press.id,
    customId: press.customId,
    channelId: press.channelId,
    messageId: press.messageId,
    userId: press.user.id,
  });
  if (!fresh) {
    logger.info('repeated discord interaction dropped', { interactionId: press.id });
    return;
  }
  await acknowledge(context, press);
  try {
    if (button === null || button.action === 'change') {
      await reply(context, press, button === null ? 'That button is no longer in use.' : CHANGE_PROMPT);
      await useCases.inbound.done(key);
      return;
    }
    // The press's entry is this surface's (stored and claimed above): the intake attaches the message to it.
    const result = await context.intake.dispatch({
      key,
      claimed: true,
      surface: 'discord',
      handle: { surface: 'discord', externalId: press.user.id },
      displayName: press.user.globalName ?? press.user.username,
      threadKey: press.channelId,
      text: 'yes',
    });
    await reply(context, press, result.reply);
    // A deferred turn stays failed on the entry: the intake's redrive answers it later.
    if (!result.deferred) await useCases.inbound.done(key);
    await afterTurn(context, result);
  } catch (error) {
    await useCases.inbound.failed(key, errorMessage(error)).catch(() => null);
    throw error;
  }
}

/** Acknowledges the press and removes the buttons from the brief message. */
async function acknowledge(context: DirectMessageContext, press: ButtonPress): Promise<void> {
  try {
    await context.rest.post(Routes.interactionCallback(press.id, press.token), {
      body: { type: 7, data: { components: [] } },
      auth: false,
    });
  } catch (error) {
    context.logger.warn('discord interaction not acknowledged', {
      interactionId: press.id,
      error: errorMessage(error),
    });
  }
}

async function reply(context: DirectMessageContext, press: ButtonPress, text: string): Promise<void> {
  const to = { channel: press.channelId, thread: press.messageId };
  await replyInDm(context, `discord.reply:interaction:${press.id}`, to, text);
}
