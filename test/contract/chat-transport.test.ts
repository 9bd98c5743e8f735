/**
 * The chat-transport contract (chat-transport-contract.ts) against every transport listed in `transports`,
 * each over its peer, with a real outbox (embedded PostgreSQL) for the once-only cases. A surface's
 * transport joins by adding its factory to the list; the run prints which transports it covered.
 */
import { afterAll, beforeAll } from '@jest/globals';
import { ChannelQueue } from '../../bot/slack/channel-queue.js';
import { createSlackWebClient } from '../../bot/slack/slack-client.js';
import { SlackTransport } from '../../bot/slack/slack-transport.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import type { OutboxRepository } from '../../ports/store.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { startFakeSlackApi } from '../support/fake-slack-api.js';
import { chatTransportCases, type TransportFactory } from './chat-transport-contract.js';

const logger = createSilentLogger();

/** Slack over the recording fake Web API (whose DM with a user is channel `D<user>`). */
const slack: TransportFactory = {
  name: 'slack',
  async make() {
    const fake = await startFakeSlackApi();
    const settings = { botToken: 'xoxb-contract', signingSecret: null, apiUrl: fake.apiUrl };
    const client = createSlackWebClient({ ...settings, opsChannel: null, toUsers: [], retries: 0 }, logger);
    const queue = new ChannelQueue({ logger, intervalMs: 20 });
    let channels = 0;
    return {
      transport: new SlackTransport({ client, queue }),
      peer: {
        messages(to) {
          const channel = 'userId' in to ? `D${to.userId}` : to.channel;
          const held = fake.messages(channel).map((message) => ({
            messageId: message.ts,
            text: String(message.text),
            thread: typeof message.threadTs === 'string' ? message.threadTs : null,
          }));
          return Promise.resolve(held);
        },
      },
      destination: () => ({ channel: `C0CONTRACT${(channels += 1)}` }),
      person: () => `U0PERSON${(channels += 1)}`,
      close: () => fake.close(),
    };
  },
};

/** Every transport the contract runs against. */
const transports: TransportFactory[] = [slack];

let db: EmbeddedStore;
const outbox = (): OutboxRepository => db.store.outbox;

beforeAll(async () => {
  db = await startEmbeddedStore();
}, 90_000);

afterAll(async () => {
  await db?.teardown();
  process.stdout.write(
    `[contract] chat transports: ${transports.map((transport) => transport.name).join(', ')}\n`,
  );
});

for (const transport of transports) chatTransportCases(transport, outbox);
