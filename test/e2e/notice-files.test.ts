/**
 * A client notice with files (a completed project's workspace archive), delivered by each surface's real
 * notifier to its peer: Slack uploads the file into the project's thread (the external upload flow against
 * the recording fake Web API), Discord attaches it to the message (the fake Discord's multipart message
 * create), email attaches it to the mail in the conversation's thread (the real Postfix and Dovecot), and
 * a mail server that will not take the mail with the file gets it without, its text saying so.
 */
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { REST } from 'discord.js';
import type { ParsedMail } from 'mailparser';
import { discordNotifier } from '../../bot/discord/discord-notifier.js';
import { discordTransport } from '../../bot/discord/discord-transport.js';
import type { SlackSettings } from '../../bot/slack/slack-settings.js';
import { wireSlackNotifier } from '../../bot/wiring/slack.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { chatOutbox } from '../../handlers/outbox/chat-outbox.js';
import type { OutgoingFile } from '../../ports/chat-transport.js';
import type { ClientNotice, SurfaceNotifier } from '../../ports/surface-notifier.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { BOT_USER, startFakeDiscord, type FakeDiscord } from '../support/fake-discord.js';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.js';
import {
  ALICE,
  describeWithMail,
  startEmailHarness,
  type EmailHarness,
} from '../support/mail/email-harness.js';

const logger = createSilentLogger();
const run = promisify(execFile);

/** A workspace archive's stand-in: bytes of every value, so no encoding on the way can hide a change. */
function archive(name: string, size = 4096): OutgoingFile {
  const data = new Uint8Array(size);
  for (let index = 0; index < size; index += 1) data[index] = (index * 31 + 7) % 256;
  return { name, contentType: 'application/gzip', data, title: 'Files project: every file of the project' };
}

const same = (held: Uint8Array, file: OutgoingFile) => Buffer.from(held).equals(Buffer.from(file.data));

let notices = 0;
function notice(thread: ClientNotice['thread']): ClientNotice {
  notices += 1;
  return {
    effectId: `notice:files:${Date.now()}:${notices}`,
    kind: 'notice',
    text: 'Your project is complete. Every file of the project comes with this message.',
    thread,
    projectId: null,
    conversationId: null,
    attachments: [{ kind: 'workspace_archive', projectId: 'p-files' }],
  };
}

describe('Slack: a notice with a file', () => {
  const CLIENTS = 'C0FILES';
  const ROOT = '1700000000.000200';
  let db: EmbeddedStore;
  let fake: FakeSlackApi;
  let notifier: SurfaceNotifier;

  beforeAll(async () => {
    [db, fake] = await Promise.all([startEmbeddedStore(), startFakeSlackApi()]);
    const settings: SlackSettings = {
      botToken: 'xoxb-files',
      signingSecret: null,
      apiUrl: fake.apiUrl,
      opsChannel: null,
      toUsers: [],
      retries: 0,
      postIntervalMs: 20,
    };
    notifier = wireSlackNotifier({ settings, store: db.store, logger });
  }, 90_000);

  afterAll(async () => {
    await Promise.all([fake?.close(), db?.teardown()]);
  });

  const thread = { surface: 'slack' as const, channel: CLIENTS, threadKey: ROOT };
  const uploadsOf = (file: OutgoingFile) => fake.uploads(CLIENTS).filter((up) => up.filename === file.name);

  test('the file is uploaded into the project thread after the message, once', async () => {
    const file = archive('files-workspace.tar.gz');
    const sent = notice(thread);
    await notifier.deliver(sent, [file]);
    await notifier.deliver(sent, [file]);

    const posts = fake.callsOf('chat.postMessage').filter((call) => call.params.thread_ts === ROOT);
    expect(posts).toHaveLength(1);
    const [upload, ...more] = uploadsOf(file);
    expect(more).toHaveLength(0);
    expect(upload).toMatchObject({ channel: CLIENTS, threadTs: ROOT, title: file.title, length: 4096 });
    expect(same(upload!.data, file)).toBe(true);
    // The external upload flow, in order: ask for a URL, send the bytes, complete into the thread.
    const steps = [
      'chat.postMessage',
      'files.getUploadURLExternal',
      'upload',
      'files.completeUploadExternal',
    ];
    const flow = fake.calls.map((call) => call.method).filter((method) => steps.includes(method));
    expect(flow).toEqual([
      'chat.postMessage',
      'files.getUploadURLExternal',
      'upload',
      'files.completeUploadExternal',
    ]);
  });

  test('an upload that fails once on the way is tried again: the file arrives once', async () => {
    const file = archive('again-workspace.tar.gz');
    fake.failUploads(1);
    await notifier.deliver(notice(thread), [file]);
    expect(uploadsOf(file)).toHaveLength(1);
    expect(same(uploadsOf(file)[0]!.data, file)).toBe(true);
  });

  test('an upload that keeps failing fails the delivery; the retry finds the message and posts nothing again', async () => {
    const file = archive('lost-workspace.tar.gz');
    const sent = notice(thread);
    const postsOf = () =>
      fake
        .callsOf('chat.postMessage')
        .filter(
          (call) =>
            (call.params.metadata as { event_payload?: { effect_id?: unknown } } | undefined)?.event_payload
              ?.effect_id === sent.effectId,
        );
    fake.failUploads(2);
    await expect(notifier.deliver(sent, [file])).rejects.toThrow(/lost-workspace\.tar\.gz/);
    await notifier.deliver(sent, [file]);
    expect(postsOf()).toHaveLength(1);
    expect(uploadsOf(file)).toHaveLength(0);
  });
});

describe('Discord: a notice with a file', () => {
  let db: EmbeddedStore;
  let fake: FakeDiscord;
  let notifier: SurfaceNotifier;

  beforeAll(async () => {
    [db, fake] = await Promise.all([startEmbeddedStore(), startFakeDiscord()]);
    const rest = new REST({ version: '10', api: fake.apiUrl, retries: 0 }).setToken(fake.token);
    const transport = discordTransport({ rest, botUserId: BOT_USER.id });
    notifier = discordNotifier(chatOutbox(db.store.outbox), () => transport);
  }, 90_000);

  afterAll(async () => {
    await Promise.all([fake?.close(), db?.teardown()]);
  });

  test('the file is the message’s attachment in the project thread, once', async () => {
    const threadId = fake.nextId();
    const file = archive('files-workspace.tar.gz');
    const sent = notice({ surface: 'discord', channel: '300000000000000001', threadKey: threadId });
    await notifier.deliver(sent, [file]);
    await notifier.deliver(sent, [file]);

    const held = fake.held(threadId);
    expect(held).toHaveLength(1);
    expect(held[0]?.content).toContain('Your project is complete');
    const [attachment, ...more] = held[0]!.attachments;
    expect(more).toHaveLength(0);
    expect(attachment).toMatchObject({ filename: file.name, description: file.title });
    expect(same(attachment!.data, file)).toBe(true);
  });
});

describeWithMail()('email: a notice with a file (Postfix + Dovecot)', () => {
  let h: EmailHarness;
  let conversationId: string;
  const ROOT = '<files-root@example.test>';

  beforeAll(async () => {
    h = await startEmailHarness();
    const identity = await h.store.identities.create({
      displayName: 'Alice',
      handles: [{ surface: 'email', externalId: ALICE }],
    });
    conversationId = (await h.store.conversations.ensure('email', ROOT, identity.id)).id;
  }, 120_000);

  afterAll(async () => {
    await h?.teardown();
  });

  const thread = { surface: 'email' as const, channel: ALICE, threadKey: ROOT };
  const withFile = (name: string) => (all: ParsedMail[]) =>
    all.filter((mail) => mail.attachments.some((attachment) => attachment.filename === name));
  const inThread = (subject: string) => (all: ParsedMail[]) =>
    all.filter((mail) => mail.inReplyTo === ROOT && (mail.text ?? '').includes(subject));

  test('the file is attached to the mail in the conversation’s thread, once', async () => {
    const file = archive('files-workspace.tar.gz');
    const sent = { ...notice(thread), conversationId };
    await h.surface.notifier.deliver(sent, [file]);
    await h.surface.notifier.deliver(sent, [file]);

    const box = await h.mail.waitFor('alice', (all) => withFile(file.name)(all).length > 0);
    const [mail, ...more] = withFile(file.name)(box);
    expect(more).toHaveLength(0);
    expect(mail?.inReplyTo).toBe(ROOT);
    expect(mail?.text).toContain('Your project is complete');
    const attachment = mail!.attachments.find((candidate) => candidate.filename === file.name)!;
    expect(attachment.contentType).toBe('application/gzip');
    expect(same(attachment.content, file)).toBe(true);
  });

  test('a mail server that will not take the mail with the file gets it without, saying so', async () => {
    const postfix = path.join(h.mail.dir, 'postfix');
    const limit = 200_000;
    const limitTo = async (bytes: number) => {
      await run('/usr/sbin/postconf', ['-c', postfix, '-e', `message_size_limit = ${bytes}`]);
      await run('/usr/sbin/postfix', ['-c', postfix, 'reload']);
      await advertised(h.mail.smtpPort, bytes);
    };
    await limitTo(limit);
    try {
      // Base64 makes 180 kB about 245 kB: over the limit with the file, well under it without.
      const file = archive('big-workspace.tar.gz', 180_000);
      const sent = { ...notice(thread), conversationId, text: 'Your big project is complete.' };
      await h.surface.notifier.deliver(sent, [file]);
      const box = await h.mail.waitFor('alice', (all) => inThread('Your big project')(all).length > 0);
      const [mail, ...more] = inThread('Your big project')(box);
      expect(more).toHaveLength(0);
      expect(mail?.attachments).toHaveLength(0);
      expect(mail?.text).toContain('Not attached, as the mail server does not take mail this large');
      expect(mail?.text).toContain('big-workspace.tar.gz');
    } finally {
      await limitTo(104_857_600);
    }
  });
});

/** Resolves once the SMTP server's EHLO advertises `SIZE bytes` (a reload reaches new sessions soon after). */
async function advertised(port: number, bytes: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ehlo = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let seen = '';
      socket.setEncoding('utf8');
      socket.on('data', (chunk: string) => {
        seen += chunk;
        if (/^220 /m.test(seen) && !seen.includes('EHLO sent')) {
          seen += '\nEHLO sent\n';
          socket.write('EHLO files.test\r\n');
        } else if (/^250 /m.test(seen.split('EHLO sent')[1] ?? '')) {
          socket.end('QUIT\r\n');
          resolve(seen);
        }
      });
      socket.on('error', reject);
    });
    if (new RegExp(`^250[- ]SIZE ${bytes}\\r?$`, 'm').test(ehlo)) return;
    if (Date.now() > deadline) throw new Error(`SMTP never advertised SIZE ${bytes}: ${ehlo}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
