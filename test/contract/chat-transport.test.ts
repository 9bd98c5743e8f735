/**
 * The chat-transport contract (chat-transport-contract.ts) against every transport listed in `transports`,
 * each over its peer, with a real outbox (embedded PostgreSQL) for the once-only cases: Slack and Discord
 * over their recording fakes, email through the real Postfix and Dovecot (skipped, with the reason, where
 * they cannot run), the console over the embedded store. A surface's transport joins by adding its
 * factory to the list; the run prints which transports it covered.
 */
import { afterAll, beforeAll, describe, test } from '@jest/globals';
import { REST } from 'discord.js';
import type { ParsedMail } from 'mailparser';
import nodemailer from 'nodemailer';
import { consoleTransport } from '../../bot/console/console-transport.js';
import { discordTransport } from '../../bot/discord/discord-transport.js';
import { imapConnection } from '../../bot/email/email-settings.js';
import { emailTransport } from '../../bot/email/email-transport.js';
import { createSentFolder } from '../../bot/email/sent-folder.js';
import { conversationMessages } from '../../handlers/threads/conversation-messages.js';
import { ChannelQueue } from '../../bot/slack/channel-queue.js';
import { createSlackWebClient } from '../../bot/slack/slack-client.js';
import { SlackTransport } from '../../bot/slack/slack-transport.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import type { OutboxRepository } from '../../ports/store.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { BOT_USER, startFakeDiscord } from '../support/fake-discord.js';
import { startFakeSlackApi } from '../support/fake-slack-api.js';
import { MAIL_DOMAIN, mailServerUnavailable, startMailServer } from '../support/mail-server.js';
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
        files(to) {
          // Files are shared into a thread of the channel (files.completeUploadExternal's thread_ts).
          const channel = 'userId' in to ? `D${to.userId}` : to.channel;
          return Promise.resolve(
            fake.uploads(channel).map((file) => ({
              name: file.filename,
              data: file.data,
              messageId: null,
              thread: file.threadTs,
            })),
          );
        },
      },
      destination: () => ({ channel: `C0CONTRACT${(channels += 1)}` }),
      person: () => `U0PERSON${(channels += 1)}`,
      close: () => fake.close(),
    };
  },
};

/** Discord over the fake Discord REST API (discord.js's REST client, as the surface uses it). */
const discord: TransportFactory = {
  name: 'discord',
  limits: {
    findTopLevel:
      'Discord returns a nonce only when the message is made, so a lookup finds replies (by message_reference) only; a top-level resend is folded by enforce_nonce instead',
  },
  async make() {
    const fake = await startFakeDiscord();
    const rest = new REST({ version: '10', api: fake.apiUrl, retries: 0 }).setToken(fake.token);
    let ids = 0;
    const snowflake = () => String(600000000000000000n + BigInt((ids += 1)));
    return {
      transport: discordTransport({ rest, botUserId: BOT_USER.id }),
      peer: {
        messages(to) {
          const channel = 'userId' in to ? fake.dmChannel(to.userId) : to.channel;
          const held = channel === undefined ? [] : fake.held(channel);
          return Promise.resolve(
            held.map((message) => ({
              messageId: message.id,
              text: message.content,
              thread: message.replyTo,
            })),
          );
        },
        files(to) {
          // A message's attachments, as the multipart message create sent them.
          const channel = 'userId' in to ? fake.dmChannel(to.userId) : to.channel;
          const held = channel === undefined ? [] : fake.held(channel);
          return Promise.resolve(
            held.flatMap((message) =>
              message.attachments.map((attachment) => ({
                name: attachment.filename,
                data: attachment.data,
                messageId: message.id,
                thread: message.replyTo,
              })),
            ),
          );
        },
      },
      destination: () => ({ channel: snowflake() }),
      person: () => snowflake(),
      close: () => fake.close(),
    };
  },
};

/** Email through the real Postfix into the real Dovecot, the bot's Sent mailbox as the lookup. */
const mailUnavailable = mailServerUnavailable();
const email: TransportFactory = {
  name: 'email',
  limits: {
    update: 'a sent mail cannot be changed',
    order: 'SMTP delivers each mail on its own: concurrent mails to one address may arrive in any order',
  },
  async make() {
    const mail = await startMailServer();
    const bot = `bot@${MAIL_DOMAIN}`;
    const smtp = nodemailer.createTransport(mail.smtpUrl());
    const sentFolder = createSentFolder(imapConnection(mail.imapUrl('bot')), logger);
    const inner = emailTransport({ smtp, address: bot, sentFolder });
    // Every address is alice's plus-address; the peer waits until what was sent there has arrived.
    const sent = new Map<string, Set<string>>();
    const track = async <T extends { channel: string; messageId: string }>(made: Promise<T>) => {
      const ref = await made;
      sent.set(ref.channel, (sent.get(ref.channel) ?? new Set()).add(ref.messageId));
      return ref;
    };
    /** The mail at an address, once everything sent there has arrived. */
    const arrived = async (to: { channel: string } | { userId: string }): Promise<ParsedMail[]> => {
      const address = 'userId' in to ? to.userId : to.channel;
      const expected = [...(sent.get(address) ?? [])];
      const addressed = (all: ParsedMail[]) =>
        all.filter((entry) => JSON.stringify(entry.to ?? '').includes(`"address":"${address}"`));
      const box = await mail.waitFor('alice', (all) =>
        expected.every((id) => addressed(all).some((entry) => entry.messageId === id)),
      );
      return addressed(box);
    };
    let ids = 0;
    return {
      transport: {
        ...inner,
        post: (effect, to, message) => track(inner.post(effect, to, message)),
        dm: (effect, userId, message) => track(inner.dm(effect, userId, message)),
      },
      peer: {
        async messages(to) {
          return (await arrived(to)).map((entry) => ({
            messageId: entry.messageId ?? '',
            text: (entry.text ?? '').trim(),
            thread: entry.inReplyTo ?? null,
          }));
        },
        async files(to) {
          // A mail's attachments, as Dovecot holds the mail.
          return (await arrived(to)).flatMap((entry) =>
            entry.attachments.map((attachment) => ({
              name: attachment.filename ?? '',
              data: attachment.content,
              messageId: entry.messageId ?? null,
              thread: entry.inReplyTo ?? null,
            })),
          );
        },
      },
      destination: () => ({ channel: `alice+c${(ids += 1)}@${MAIL_DOMAIN}` }),
      person: () => `alice+p${(ids += 1)}@${MAIL_DOMAIN}`,
      async close() {
        smtp.close();
        await mail.stop();
      },
    };
  },
};

/** The web console over the embedded store: a conversation is its channel, Hermes's messages in it. */
const consoleFactory: TransportFactory = {
  name: 'console',
  limits: {
    find: 'a conversation message carries no effect id, so the console cannot tell whether an append happened',
    update: 'conversation messages are never replaced (the console reads a card’s state from the store)',
    files:
      'a conversation holds text only; its readers download a project’s files from the project’s page (GET /api/console/projects/:id/workspace.tar.gz)',
  },
  async make() {
    const store = db.store;
    // Conversations made up front: destination() and person() hand out fresh ones.
    const conversationOf = async (name: string) => {
      const identity = await store.identities.ensureByHandle(
        { surface: 'console', externalId: name },
        { displayName: name },
      );
      return store.conversations.ensure('console', `console:${name}`, identity.id);
    };
    const run = Date.now();
    const channels = await Promise.all(
      Array.from({ length: 20 }, (_, index) => conversationOf(`contract-channel-${run}-${index}`)),
    );
    const people = Array.from({ length: 20 }, (_, index) => `contract-person-${run}-${index}`);
    await Promise.all(people.map(conversationOf));
    const hermesSaid = async (conversationId: string | undefined) => {
      const conversation = conversationId ? await store.conversations.get(conversationId) : null;
      return (conversation?.messages ?? [])
        .map((message, index) => ({ message, index }))
        .filter(({ message }) => message.from === 'hermes')
        .map(({ message, index }) => ({ messageId: String(index), text: message.text, thread: null }));
    };
    return {
      transport: consoleTransport(conversationMessages(store)),
      peer: {
        async messages(to) {
          if (!('userId' in to)) return hermesSaid(to.channel);
          const conversation = await store.conversations.findByThread('console', `console:${to.userId}`);
          return hermesSaid(conversation?.id);
        },
      },
      destination: () => ({ channel: channels.shift()!.id }),
      person: () => people.shift()!,
      close: () => Promise.resolve(),
    };
  },
};

/** Every transport the contract runs against. */
const transports: TransportFactory[] = [
  slack,
  discord,
  ...(mailUnavailable === null ? [email] : []),
  consoleFactory,
];

let db: EmbeddedStore;
const outbox = (): OutboxRepository => db.store.outbox;

beforeAll(async () => {
  db = await startEmbeddedStore();
}, 90_000);

afterAll(async () => {
  await db?.teardown();
  process.stdout.write(
    `[contract] chat transports: ${transports.map((transport) => transport.name).join(', ')}` +
      (mailUnavailable === null ? '\n' : ` (email skipped: ${mailUnavailable})\n`),
  );
});

for (const transport of transports) chatTransportCases(transport, outbox);
if (mailUnavailable !== null) {
  describe.skip(`chat transport contract: email (skipped: ${mailUnavailable})`, () => {
    test('every case, against the real Postfix and Dovecot', () => undefined);
  });
}
