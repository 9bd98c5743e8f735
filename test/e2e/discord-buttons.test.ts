/**
 * Discord buttons: a DM conversation reaches a brief with Confirm / Change buttons; pressing them sends an
 * INTERACTION_CREATE through the gateway to the real discord.js client. The press is stored in the inbox
 * under its interaction id, acknowledged (buttons removed), and handled; a repeated interaction id is
 * handled once. Fake Discord on loopback, embedded PostgreSQL, guided intake (no language model).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { GuidedIntakeBrain } from '../../agents/hermes/guided-intake.js';
import { CHANGE_PROMPT } from '../../bot/discord/brief-interactions.js';
import { createDiscordSurface, type DiscordSurface } from '../../bot/discord/discord-surface.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { surfaceUseCases } from '../../handlers/surface-use-cases.js';
import { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import {
  DM_CHANNEL,
  GUILD_ID,
  PROJECTS_CHANNEL,
  startFakeDiscord,
  type FakeDiscord,
  type RestCall,
} from '../support/fake-discord.js';

let discord: FakeDiscord;
let embedded: EmbeddedStore;
let surface: DiscordSurface;

const replyTo = (messageId: string) => (call: RestCall) =>
  call.method === 'POST' &&
  call.path === `/api/v10/channels/${DM_CHANNEL}/messages` &&
  (call.body?.message_reference as { message_id?: string } | undefined)?.message_id === messageId;

interface Sent {
  call: RestCall;
  /** Id of Hermes's posted reply (from the outbox). */
  messageId: string;
}

async function say(content: string): Promise<Sent> {
  const message = discord.directMessage(content);
  discord.dispatch('MESSAGE_CREATE', message);
  const call = await discord.waitForCall(replyTo(String(message.id)));
  await surface.settled();
  const effect = await embedded.store.outbox.get(`discord.reply:${String(message.id)}`);
  return { call, messageId: (effect?.result as { messageId: string }).messageId };
}

function buttons(call: RestCall): Array<{ label: string; custom_id: string }> {
  const rows = (call.body?.components ?? []) as Array<{
    components: Array<{ label: string; custom_id: string }>;
  }>;
  return rows.flatMap((row) => row.components);
}

async function press(
  customId: string,
  messageId: string,
  id?: string,
): Promise<{ id: string; reply: RestCall }> {
  const interaction = discord.buttonPress(customId, messageId, id ? { id } : {});
  discord.dispatch('INTERACTION_CREATE', interaction);
  const reply = await discord.waitForCall(replyTo(messageId));
  await surface.settled();
  return { id: String(interaction.id), reply };
}

beforeAll(async () => {
  [discord, embedded] = await Promise.all([startFakeDiscord(), startEmbeddedStore()]);
  const logger = createSilentLogger();
  surface = createDiscordSurface({
    settings: {
      botToken: discord.token,
      apiUrl: discord.apiUrl,
      guildId: GUILD_ID,
      projectsChannel: PROJECTS_CHANNEL,
    },
    useCases: surfaceUseCases({ store: embedded.store }),
    intake: new ClientMessageHandler({ store: embedded.store, brain: new GuidedIntakeBrain(), logger }),
    logger,
  });
  await surface.start();
}, 120_000);

afterAll(async () => {
  await surface?.stop();
  await discord?.close();
  await embedded?.teardown();
});

describe('discord brief buttons (real discord.js, fake Discord, embedded PostgreSQL)', () => {
  test('the brief is confirmed with its button; a repeated interaction id is handled once', async () => {
    let brief: Sent | null = null;
    for (const text of [
      'Hi, we need a booking app for our salon.',
      'A salon booking site where customers book haircuts online.',
      'online booking (must), reminders (should)',
      'in 8 weeks',
      '$12k',
    ]) {
      const sent = await say(text);
      if (String(sent.call.body?.content).includes('Is this right?')) {
        brief = sent;
        break;
      }
    }
    expect(brief).not.toBeNull();
    const shown = buttons(brief!.call);
    expect(shown.map((button) => button.label)).toEqual(['Confirm', 'Change']);
    const conversation = await embedded.store.conversations.findByThread('discord', DM_CHANNEL);
    expect(shown[0]?.custom_id).toBe(`brief:confirm:${conversation!.id}`);

    // Change: Hermes asks what to change; nothing is handed off; the buttons are removed.
    const change = await press(shown[1]!.custom_id, brief!.messageId);
    expect(change.reply.body?.content).toBe(CHANGE_PROMPT);
    expect(buttons(change.reply)).toEqual([]);
    expect((await embedded.store.conversations.findByThread('discord', DM_CHANNEL))?.state).toBe(
      'confirming',
    );

    const renamed = await say('title: Salon Booking');
    expect(String(renamed.call.body?.content)).toContain('Title: Salon Booking');
    const confirmButton = buttons(renamed.call).find((button) => button.label === 'Confirm')!;

    const confirmed = await press(confirmButton.custom_id, renamed.messageId);
    expect(String(confirmed.reply.body?.content)).toContain('Confirmed');
    const after = await embedded.store.conversations.findByThread('discord', DM_CHANNEL);
    expect(after?.state).toBe('handed_off');
    expect(after?.projectId).not.toBeNull();

    const callbacks = discord.interactionCallbacks();
    expect(callbacks.map((call) => call.path)).toEqual([
      expect.stringContaining(`/interactions/${change.id}/`),
      expect.stringContaining(`/interactions/${confirmed.id}/`),
    ]);
    for (const callback of callbacks) {
      expect(callback.body).toEqual({ type: 7, data: { components: [] } });
      expect(callback.auth).toBeUndefined();
    }
    // Acknowledged before the (slower) handling: the callback precedes the reply.
    const callbackAt = discord.calls.findIndex((call) =>
      call.path.includes(`/interactions/${confirmed.id}/`),
    );
    expect(callbackAt).toBeGreaterThanOrEqual(0);
    expect(callbackAt).toBeLessThan(discord.calls.indexOf(confirmed.reply));
    const entry = await embedded.store.inbox.get(`discord:interaction:${confirmed.id}`);
    expect(entry?.status).toBe('done');
    expect(entry?.attempts).toBe(1);

    // The gateway replays the same interaction: stored once, acknowledged once, answered once.
    discord.dispatch(
      'INTERACTION_CREATE',
      discord.buttonPress(confirmButton.custom_id, renamed.messageId, { id: confirmed.id }),
    );
    discord.dispatch(
      'INTERACTION_CREATE',
      discord.buttonPress(confirmButton.custom_id, renamed.messageId, { id: confirmed.id }),
    );
    await say('Thanks!');
    expect(discord.interactionCallbacks()).toHaveLength(2);
    expect(discord.calls.filter(replyTo(renamed.messageId))).toHaveLength(1);
    expect((await embedded.store.inbox.get(`discord:interaction:${confirmed.id}`))?.attempts).toBe(1);
    const projects = await embedded.store.projects.list({ ownerId: after!.identityId });
    expect(projects).toHaveLength(1);
    expect(projects[0]?.title).toBe('Salon Booking');
    expect(
      discord.calls.filter(
        (call) =>
          call.method === 'POST' && call.path.startsWith(`/api/v10/channels/${PROJECTS_CHANNEL}/messages/`),
      ),
    ).toHaveLength(1);
  }, 120_000);
});
