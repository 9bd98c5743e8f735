/**
 * Identity linking with the code posted on Discord: a client on the console asks to be linked to their
 * Discord account; the code arrives in their Discord DM (real discord.js, fake Discord on loopback);
 * typed back on the console it links the Discord user, whose DM identity is merged in.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { describe } from '@jest/globals';
import { GuidedIntakeBrain } from '../../agents/hermes/guided-intake.js';
import { createDiscordSurface, type DiscordSurface } from '../../bot/discord/discord-surface.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { surfaceUseCases } from '../../handlers/surface-use-cases.js';
import { IdentityLinker } from '../../handlers/identities/identity-linker.js';
import { LinkingIntake } from '../../handlers/identities/linking-intake.js';
import { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
import { NotifierRegistry } from '../../handlers/notify/notifier-registry.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { DM_CHANNEL, HUMAN_USER, startFakeDiscord, type FakeDiscord } from '../support/fake-discord.js';
import { until } from '../support/until.js';

const logger = createSilentLogger();
let discord: FakeDiscord;
let embedded: EmbeddedStore;
let surface: DiscordSurface;
let intake: LinkingIntake;

beforeAll(async () => {
  [discord, embedded] = await Promise.all([startFakeDiscord(), startEmbeddedStore()]);
  const handler = new ClientMessageHandler({ store: embedded.store, brain: new GuidedIntakeBrain(), logger });
  const notifiers = new NotifierRegistry();
  intake = new LinkingIntake(
    handler,
    new IdentityLinker({ store: embedded.store, notifiers, logger }),
    embedded.store,
    logger,
  );
  surface = createDiscordSurface({
    settings: { botToken: discord.token, apiUrl: discord.apiUrl, guildId: null, projectsChannel: null },
    useCases: surfaceUseCases({ store: embedded.store }),
    intake,
    logger,
  });
  await surface.start();
  notifiers.register(surface.notifier);
}, 120_000);

afterAll(async () => {
  await surface?.stop();
  await discord?.close();
  await embedded?.teardown();
});

describe('identity linking through a Discord DM', () => {
  test('the code posted to the Discord DM, typed on the console, links the Discord user', async () => {
    // Alice has talked to Hermes on Discord before.
    const message = discord.directMessage('Hi, we need a booking app for our salon.');
    discord.dispatch('MESSAGE_CREATE', message);
    await discord.waitForCall(
      (call) => call.method === 'POST' && call.path === `/api/v10/channels/${DM_CHANNEL}/messages`,
    );
    await surface.settled();
    const onDiscord = (await embedded.store.identities.findByHandle({
      surface: 'discord',
      externalId: HUMAN_USER.id,
    }))!;

    const say = (text: string, key: string) =>
      intake.dispatch({
        key,
        surface: 'console',
        handle: { surface: 'console', externalId: 'alice' },
        displayName: 'Alice',
        threadKey: 'console:alice',
        text,
      });
    expect((await say(`link me to discord:${HUMAN_USER.id}`, 'c1')).reply).toContain('sent a 6-digit code');
    const posted = await until(() =>
      Promise.resolve(
        discord
          .posts(DM_CHANNEL)
          .map((call) => /link code is (\d{6})/.exec(String(call.body?.content))?.[1])
          .find((code) => code !== undefined),
      ),
    );
    expect(
      discord.calls.some(
        (call) => call.path === '/api/v10/users/@me/channels' && call.body?.recipient_id === HUMAN_USER.id,
      ),
    ).toBe(true);
    expect((await say(posted, 'c2')).reply).toContain(`Linked: discord:${HUMAN_USER.id}`);
    const consoleAlice = (await embedded.store.identities.findByHandle({
      surface: 'console',
      externalId: 'alice',
    }))!;
    expect(
      (await embedded.store.identities.findByHandle({ surface: 'discord', externalId: HUMAN_USER.id }))?.id,
    ).toBe(consoleAlice.id);
    expect((await embedded.store.conversations.findByThread('discord', DM_CHANNEL))?.identityId).toBe(
      consoleAlice.id,
    );
    expect((await embedded.store.identities.get(onDiscord.id))?.handles).toEqual([]);
  }, 60_000);
});
