/**
 * A Discord DM is one conversation with the client, whatever the threading, as on Slack: plain DM messages
 * and replies to Hermes's messages (Discord's reply, `message_reference`) continue the intake in progress.
 * The real discord.js client against the fake Discord (REST + gateway), embedded PostgreSQL and the guided
 * Hermes (no LLM configured): the client reaches a confirmed brief greeted exactly once, and a new project
 * starts only when the client asks for one.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { GuidedIntakeBrain } from '../../agents/hermes/guided-intake.js';
import { createDiscordSurface, type DiscordSurface } from '../../bot/discord/discord-surface.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
import { surfaceUseCases } from '../../handlers/surface-use-cases.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import {
  DM_CHANNEL,
  HUMAN_USER,
  startFakeDiscord,
  type FakeDiscord,
  type RestCall,
} from '../support/fake-discord.js';

const GREETING = "Hello, I'm Hermes";
let discord: FakeDiscord;
let embedded: EmbeddedStore;
let surface: DiscordSurface;

const replyTo = (messageId: string) => (call: RestCall) =>
  call.method === 'POST' &&
  call.path === `/api/v10/channels/${DM_CHANNEL}/messages` &&
  (call.body?.message_reference as { message_id?: string } | undefined)?.message_id === messageId;

/** Hermes's replies in the DM, in order. */
const replies = () => discord.posts(DM_CHANNEL).filter((call) => call.body?.message_reference !== undefined);

/**
 * Sends a DM over the gateway — plain, or as a Discord reply to the message `replyingTo` — and returns
 * Hermes's answer.
 */
async function say(content: string, replyingTo?: string): Promise<string> {
  const message = discord.directMessage(content);
  if (replyingTo !== undefined) {
    message.type = 19;
    message.message_reference = { message_id: replyingTo, channel_id: DM_CHANNEL };
  }
  discord.dispatch('MESSAGE_CREATE', message);
  const reply = await discord.waitForCall(replyTo(String(message.id)));
  await surface.settled();
  return String(reply.body?.content);
}

/** The id of Hermes's latest message in the DM (what a Discord reply points at). */
const lastHermesMessage = () => discord.held(DM_CHANNEL).at(-1)!.id;

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

describe('Discord DMs: one conversation per DM', () => {
  test('plain DMs and replies continue one intake to a confirmed brief, greeted once; "new project" starts the next', async () => {
    expect(await say('We need a weekly digest of our sales numbers for the team')).toContain(GREETING);
    await say('Sales Digest');
    await say('email digest (must), slack post (should), PDF export (could)', lastHermesMessage());
    await say('March 15');
    const summary = await say('$12k', lastHermesMessage());
    expect(summary).toContain('Is this right?');
    const confirmed = await say('yes');
    expect(confirmed).toContain('Confirmed.');
    expect(confirmed).toContain('Sales Digest');

    const store = embedded.store;
    const client = await store.identities.findByHandle({ surface: 'discord', externalId: HUMAN_USER.id });
    const conversations = await store.conversations.listByIdentity(client!.id);
    expect(conversations).toHaveLength(1);
    expect(conversations[0]).toMatchObject({ threadKey: DM_CHANNEL, state: 'handed_off' });
    expect(conversations[0]!.messages).toHaveLength(12);
    const [project] = await store.projects.list({ ownerId: client!.id });
    expect(project).toMatchObject({ title: 'Sales Digest' });
    expect(conversations[0]!.projectId).toBe(project!.id);

    expect(await say('new project', lastHermesMessage())).toContain('Happy to start another one.');
    const after = await store.conversations.findByThread('discord', DM_CHANNEL);
    expect(after).toMatchObject({ state: 'collecting', projectId: null, draft: {} });
    expect(await store.conversations.listByIdentity(client!.id)).toHaveLength(1);
    const texts = replies().map((call) => String(call.body?.content));
    expect(texts).toHaveLength(7);
    expect(texts.filter((text) => text.includes(GREETING))).toHaveLength(1);
  });
});
