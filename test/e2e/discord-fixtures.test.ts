/**
 * Recorded Discord gateway payloads (test/fixtures/discord/) replayed through the fake Discord gateway to
 * the real discord.js client and the Discord surface: a DM's MESSAGE_CREATE delivered twice is one inbox
 * row and one reply; a button's INTERACTION_CREATE delivered twice is one row, one acknowledgement and one
 * answer. Embedded PostgreSQL, guided intake.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { GuidedIntakeBrain } from '../../agents/hermes/guided-intake.js';
import { CHANGE_PROMPT } from '../../bot/discord/brief-interactions.js';
import { createDiscordSurface, type DiscordSurface } from '../../bot/discord/discord-surface.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
import { surfaceUseCases } from '../../handlers/surface-use-cases.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { startFakeDiscord, type FakeDiscord, type RestCall } from '../support/fake-discord.js';
import { inboxRowsMentioning } from '../support/inbox-rows.js';

interface GatewayFrame {
  op: number;
  t: string;
  s: number;
  d: Record<string, unknown> & { id: string; channel_id: string };
}

const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/discord/${name}`, import.meta.url), 'utf8')) as GatewayFrame;

let discord: FakeDiscord;
let embedded: EmbeddedStore;
let surface: DiscordSurface;

const replyTo = (channel: string, messageId: string) => (call: RestCall) =>
  call.method === 'POST' &&
  call.path === `/api/v10/channels/${channel}/messages` &&
  (call.body?.message_reference as { message_id?: string } | undefined)?.message_id === messageId;

beforeAll(async () => {
  [discord, embedded] = await Promise.all([startFakeDiscord(), startEmbeddedStore()]);
  const logger = createSilentLogger();
  surface = createDiscordSurface({
    settings: { botToken: discord.token, apiUrl: discord.apiUrl, guildId: null, projectsChannel: null },
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

describe('recorded Discord gateway payloads', () => {
  test('a DM (MESSAGE_CREATE) delivered twice: one inbox row, one reply', async () => {
    const frame = fixture('message-create-dm.json');
    expect(frame).toMatchObject({ op: 0, t: 'MESSAGE_CREATE', d: { channel_type: 1 } });
    const { id, channel_id: channel } = frame.d;
    discord.dispatch(frame.t, frame.d);
    await discord.waitForCall(replyTo(channel, id));
    await surface.settled();
    discord.dispatch(frame.t, frame.d);
    await surface.settled();

    expect(discord.calls.filter(replyTo(channel, id))).toHaveLength(1);
    const rows = await inboxRowsMentioning(embedded.connectionString, id);
    expect(rows).toEqual([{ key: `discord:message:${id}`, status: 'done', attempts: 1 }]);
    const conversation = await embedded.store.conversations.findByThread('discord', channel);
    expect(conversation?.messages.filter((message) => message.from === 'client')).toEqual([
      expect.objectContaining({ text: frame.d.content }),
    ]);
  });

  test('a button press (INTERACTION_CREATE) delivered twice: one row, one acknowledgement, one answer', async () => {
    const frame = fixture('interaction-create-button.json');
    expect(frame).toMatchObject({
      op: 0,
      t: 'INTERACTION_CREATE',
      d: { type: 3, data: { component_type: 2 } },
    });
    const { id, channel_id: channel } = frame.d;
    const pressed = (frame.d.message as { id: string }).id;
    discord.acceptInteraction(id, String(frame.d.token));
    discord.dispatch(frame.t, frame.d);
    const answer = await discord.waitForCall(replyTo(channel, pressed));
    await surface.settled();
    discord.dispatch(frame.t, frame.d);
    await surface.settled();

    expect(answer.body?.content).toBe(CHANGE_PROMPT);
    expect(discord.calls.filter(replyTo(channel, pressed))).toHaveLength(1);
    const callbacks = discord.interactionCallbacks();
    expect(callbacks).toHaveLength(1);
    expect(callbacks[0]).toMatchObject({
      path: `/api/v10/interactions/${id}/${String(frame.d.token)}/callback`,
      body: { type: 7, data: { components: [] } },
    });
    const rows = await inboxRowsMentioning(embedded.connectionString, id);
    expect(rows).toEqual([{ key: `discord:interaction:${id}`, status: 'done', attempts: 1 }]);
  });
});
