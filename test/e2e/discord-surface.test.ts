/**
 * The Discord surface: the real discord.js client against a fake Discord on loopback (REST + gateway), a
 * real embedded PostgreSQL, and the real intake handler with the guided brain.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { GuidedIntakeBrain } from '../../agents/hermes/guided-intake.js';
import { createDiscordSurface, type DiscordSurface } from '../../bot/discord/discord-surface.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { surfaceUseCases } from '../../handlers/surface-use-cases.js';
import { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import {
  BOT_USER,
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

const threadStarts = () =>
  discord.calls.filter(
    (call) => call.method === 'POST' && /^\/api\/v10\/channels\/\d+\/messages\/\d+\/threads$/.test(call.path),
  );

/** Sends a DM over the gateway and returns Hermes's reply as POSTed to the DM channel. */
async function say(content: string): Promise<RestCall> {
  const message = discord.directMessage(content);
  discord.dispatch('MESSAGE_CREATE', message);
  const reply = await discord.waitForCall(replyTo(String(message.id)));
  await surface.settled();
  return reply;
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

describe('discord surface (real discord.js, fake Discord, embedded PostgreSQL)', () => {
  test('a DM reaches Hermes and exactly one reply is posted to that DM, with no mentions allowed', async () => {
    const message = discord.directMessage('Hi, we need a booking app for our salon.');
    discord.dispatch('MESSAGE_CREATE', message);
    const reply = await discord.waitForCall(replyTo(String(message.id)));
    await surface.settled();
    expect(String(reply.body?.content)).toContain('Hermes');
    expect(reply.body?.allowed_mentions).toEqual({ parse: [] });
    expect(reply.body?.enforce_nonce).toBe(true);
    expect(typeof reply.body?.nonce).toBe('string');
    expect(reply.auth).toBe(`Bot ${discord.token}`);
    expect(discord.calls.filter(replyTo(String(message.id)))).toHaveLength(1);
    const conversation = await embedded.store.conversations.findByThread('discord', DM_CHANNEL);
    expect(conversation?.messages.map((m) => m.from)).toEqual(['client', 'hermes']);
    expect((await embedded.store.inbox.get(`discord:message:${String(message.id)}`))?.status).toBe('done');
  });

  test('the same MESSAGE_CREATE delivered twice makes one inbox entry and one reply', async () => {
    const message = discord.directMessage('It is for booking haircuts online.');
    discord.dispatch('MESSAGE_CREATE', message);
    discord.dispatch('MESSAGE_CREATE', message);
    await discord.waitForCall(replyTo(String(message.id)));
    await surface.settled();
    discord.dispatch('MESSAGE_CREATE', message);
    await surface.settled();
    expect(discord.calls.filter(replyTo(String(message.id)))).toHaveLength(1);
    const entry = await embedded.store.inbox.get(`discord:message:${String(message.id)}`);
    expect(entry?.status).toBe('done');
    expect(entry?.attempts).toBe(1);
    const conversation = await embedded.store.conversations.findByThread('discord', DM_CHANNEL);
    expect(conversation?.messages.filter((m) => m.from === 'client')).toHaveLength(2);
  });

  test("the bot's own messages are ignored", async () => {
    const own = discord.directMessage('I am Hermes talking', { author: BOT_USER });
    discord.dispatch('MESSAGE_CREATE', own);
    await say('Still there?');
    expect(discord.calls.filter(replyTo(String(own.id)))).toHaveLength(0);
    expect(await embedded.store.inbox.get(`discord:message:${String(own.id)}`)).toBeNull();
  });

  test('a DM conversation reaches a confirmed brief: @everyone in the text is defused, the project gets a thread', async () => {
    const dm = await embedded.store.conversations.findByThread('discord', DM_CHANNEL);
    expect(dm).not.toBeNull();
    const answers = [
      'A salon booking site where customers book haircuts online.',
      'Salon Booking',
      'online booking (must), reminders (should)',
      'in 8 weeks',
      '$12k',
    ];
    for (const text of answers) {
      if (String((await say(text)).body?.content).includes('Is this right?')) break;
    }
    const renamed = String((await say('title: Salon @everyone Booking')).body?.content);
    expect(renamed).toContain('Title: Salon @\u200beveryone Booking');
    expect(renamed).not.toMatch(/@everyone/);

    const confirmed = await say('yes');
    expect(confirmed.body?.allowed_mentions).toEqual({ parse: [] });
    const conversation = await embedded.store.conversations.findByThread('discord', DM_CHANNEL);
    expect(conversation?.state).toBe('handed_off');
    const projectId = conversation?.projectId;
    expect(typeof projectId).toBe('string');

    // The announcement is posted into the projects channel once, and the thread is started from it.
    const announced = discord.posts(PROJECTS_CHANNEL);
    expect(announced).toHaveLength(1);
    expect(String(announced[0]?.body?.content)).toContain('confirmed');
    expect(threadStarts()).toHaveLength(1);
    const project = await embedded.store.projects.get(projectId!);
    const ref = project?.threads.find((thread) => thread.surface === 'discord');
    expect(ref?.channel).toBe(PROJECTS_CHANNEL);
    expect(threadStarts()[0]?.path).toBe(
      `/api/v10/channels/${PROJECTS_CHANNEL}/messages/${ref!.threadKey}/threads`,
    );
    expect(await embedded.store.outbox.get(`discord.thread:${projectId!}`)).toMatchObject({
      status: 'done',
      result: { channel: PROJECTS_CHANNEL, messageId: ref!.threadKey },
    });

    const notice = {
      effectId: `digest:${projectId!}:1`,
      projectId: projectId!,
      text: 'Digest: @here 2 of 5 tasks done.',
    };
    const posted = await surface.notify(notice);
    expect(posted?.channel).toBe(ref!.threadKey);
    expect(await surface.notify(notice)).toEqual(posted);
    const digests = discord
      .posts(ref!.threadKey)
      .filter((call) => String(call.body?.content).startsWith('Digest'));
    expect(digests).toHaveLength(1);
    expect(digests[0]?.body?.content).toBe('Digest: @\u200bhere 2 of 5 tasks done.');
    expect(digests[0]?.body?.allowed_mentions).toEqual({ parse: [] });

    await say('How is it going?');
    expect(threadStarts()).toHaveLength(1);
    expect(discord.posts(PROJECTS_CHANNEL)).toHaveLength(1);
  });

  test('a reply whose first attempt left no record is found in the channel, not sent again', async () => {
    const message = discord.directMessage('Is anyone there?');
    const messageId = String(message.id);
    // An earlier attempt reached Discord, then the process died before the outbox recorded it.
    await embedded.store.outbox.enqueue(`discord.reply:${messageId}`, 'discord.reply', {});
    await embedded.store.outbox.begin(`discord.reply:${messageId}`);
    const sentBefore = await fetch(`${discord.apiUrl}/v10/channels/${DM_CHANNEL}/messages`, {
      method: 'POST',
      headers: { authorization: `Bot ${discord.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'earlier answer', message_reference: { message_id: messageId } }),
    });
    const earlier = (await sentBefore.json()) as { id: string };
    discord.dispatch('MESSAGE_CREATE', message);
    await discord.waitForCall(
      (call) => call.method === 'GET' && call.path === `/api/v10/channels/${DM_CHANNEL}/messages`,
    );
    await surface.settled();
    expect(discord.calls.filter(replyTo(messageId))).toHaveLength(1);
    const effect = await embedded.store.outbox.get(`discord.reply:${messageId}`);
    expect(effect?.status).toBe('done');
    expect(effect?.result).toEqual({ channel: DM_CHANNEL, messageId: earlier.id });
  });
});

describe('discord surface reconnects', () => {
  test('after the gateway drops, discord.js reconnects by itself and DMs are answered again', async () => {
    await discord.sessions(1);
    discord.dropGateway();
    await discord.sessions(2);
    const reply = await say('Back again after the hiccup.');
    expect(reply.body?.allowed_mentions).toEqual({ parse: [] });
  });
});

describe('discord surface start', () => {
  test('a token Discord refuses stops the start with a clear CONFIG_INVALID error', async () => {
    const refused = createDiscordSurface({
      settings: { botToken: 'wrong-token', apiUrl: discord.apiUrl, guildId: null, projectsChannel: null },
      useCases: surfaceUseCases({ store: embedded.store }),
      intake: new ClientMessageHandler({
        store: embedded.store,
        brain: new GuidedIntakeBrain(),
        logger: createSilentLogger(),
      }),
      logger: createSilentLogger(),
    });
    await expect(refused.start()).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('DISCORD_BOT_TOKEN') as unknown,
    });
    await refused.stop();
  });
});
