/**
 * Recorded mail sources (test/fixtures/email/, recorded from the real Postfix and Dovecot by
 * test/support/mail/record-email-fixtures.mjs): parsed as the surface parses them (threading headers,
 * the client's own words, attachments recorded and not kept, loop protection, the DKIM signature checked
 * with the recorded key), then replayed through the real Postfix into the real Dovecot to the running
 * email surface: the client mails are answered in one thread, the auto-reply and the bounce are not, and
 * a mail seen again after a reconnect, or a second copy of it, stays one inbox row answered once.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ImapFlow } from 'imapflow';
import { noReplyReason } from '../../bot/email/loop-guard.js';
import { verifyWithMailauth } from '../../bot/email/mailauth-verification.js';
import { parseMail } from '../../bot/email/parse-mail.js';
import { authenticateSender } from '../../bot/email/sender-authentication.js';
import { inboxRowsMentioning } from '../support/inbox-rows.js';
import {
  ALICE,
  AUTHSERV,
  BOT,
  describeWithMail,
  messageId,
  repliesTo,
  startEmailHarness,
  type EmailHarness,
} from '../support/mail/email-harness.js';
import { MAIL_PASSWORD } from '../support/mail-server.js';

const source = (name: string) => readFileSync(new URL(`../fixtures/email/${name}`, import.meta.url));

const PLAIN_ID = '<3f6c1b0e-9a52-4d1e-b7c4-2e8f1a6d9c30@example.test>';
const HERMES_ID = '<4b1e0c2a9d7f3e5a8c6b2d4f1e3a5c7b.olympus@example.test>';
const REPLY_ID = '<a81d44c7-02b3-4f6e-9d15-7c3e2b9f0a64@example.test>';
const RICH_ID = '<CAF7x9kQm2p_Lr8vT3nWzYd5sH1gJ4bE6cU0aN@mail.example.test>';
const AUTO_ID = '<AM0PR07MB6423F1C2D3E4A5B6C7D8E9F0A1B2C3D4@AM0PR07MB6423.eurprd07.prod.outlook.com>';
const CLIENT_MAILS = ['client-plain.eml', 'client-reply-quoted.eml', 'client-html-attachment.eml'];

/** DNS as example.test publishes it: the recorded DKIM key, a DMARC policy, loopback as the mail sender. */
function resolver(name: string, type: string): Promise<string[][]> {
  const records: Record<string, string[][]> = {
    's2026._domainkey.example.test': [
      [
        readFileSync(
          new URL('../fixtures/email/dkim-s2026.example.test.txt', import.meta.url),
          'utf8',
        ).trim(),
      ],
    ],
    '_dmarc.example.test': [['v=DMARC1; p=quarantine']],
    'example.test': [['v=spf1 ip4:127.0.0.1 -all']],
  };
  const found = type === 'TXT' ? records[name.toLowerCase()] : undefined;
  if (found) return Promise.resolve(found);
  return Promise.reject(Object.assign(new Error(`no ${type} for ${name}`), { code: 'ENOTFOUND' }));
}

describe('recorded mail sources, parsed', () => {
  test('a plain client mail: sender, Message-ID and the words, signature cut', async () => {
    const mail = await parseMail(source('client-plain.eml'));
    expect(mail).toMatchObject({
      messageId: PLAIN_ID,
      inReplyTo: null,
      references: [],
      from: ALICE,
      fromName: 'Alice Martin',
      recipients: [BOT],
      subject: 'Online booking for our salon',
      attachments: [],
    });
    expect(mail.text).toContain('online booking page');
    expect(mail.text).toContain('£12k');
    expect(mail.text).not.toContain('Martin & Co Hair');
    expect(noReplyReason(mail.headerLines, mail.from, BOT)).toBeNull();
  });

  test('a reply: threaded by In-Reply-To and References, the quoted text cut', async () => {
    const mail = await parseMail(source('client-reply-quoted.eml'));
    expect(mail).toMatchObject({
      messageId: REPLY_ID,
      inReplyTo: HERMES_ID,
      references: [PLAIN_ID, HERMES_ID],
    });
    expect(mail.text).toContain('Reminders by SMS as well');
    expect(mail.text).not.toContain('Hermes wrote');
    expect(mail.text).not.toContain('> ');
  });

  test('HTML and text with a PDF attached: the text part, the attachment recorded by name, type and size', async () => {
    const mail = await parseMail(source('client-html-attachment.eml'));
    expect(mail.messageId).toBe(RICH_ID);
    expect(mail.recipients).toEqual([BOT, 'office@example.test']);
    expect(mail.text).toContain('We have 4 chairs');
    expect(mail.text).not.toContain('<b>');
    expect(mail.attachments).toEqual([
      { name: 'floor-plan.pdf', type: 'application/pdf', size: expect.any(Number), dropped: false },
    ]);
    expect(mail.attachments[0]!.size).toBeGreaterThan(100);
  });

  test('an auto-reply and a MAILER-DAEMON bounce are never answered', async () => {
    const auto = await parseMail(source('auto-reply.eml'));
    expect(auto.messageId).toBe(AUTO_ID);
    expect(noReplyReason(auto.headerLines, auto.from, BOT)).toBe('Auto-Submitted');
    const bounce = await parseMail(source('bounce-mailer-daemon.eml'));
    expect(bounce.from).toBe('mailer-daemon@localhost');
    expect(bounce.headerLines.find((line) => line.key === 'return-path')?.line).toBe('Return-Path: <>');
    expect(noReplyReason(bounce.headerLines, bounce.from, BOT)).not.toBeNull();
  });

  test("the client mails carry our server's passing Authentication-Results and a DKIM signature that verifies", async () => {
    for (const name of CLIENT_MAILS) {
      const mail = await parseMail(source(name));
      expect(authenticateSender(mail.headerLines, AUTHSERV).verdict).toBe('verified');
      const checked = await verifyWithMailauth(source(name), { mta: AUTHSERV, resolver });
      expect(checked.verdict).toBe('verified');
      expect(checked.detail).toContain('dkim=pass');
    }
  });
});

describeWithMail()('recorded mail sources through Postfix and Dovecot to the email surface', () => {
  let h: EmailHarness;

  beforeAll(async () => {
    h = await startEmailHarness();
  }, 120_000);

  afterAll(async () => {
    await h?.teardown();
  });

  const replay = (name: string, from = ALICE) =>
    h.mail.send({ envelope: { from, to: BOT }, raw: source(name) });

  const replyTo = async (id: string) => {
    const box = await h.mail.waitFor('alice', (all) => repliesTo(id)(all).length > 0);
    return repliesTo(id)(box);
  };

  /** Waits until the surface flagged every mail of the bot's INBOX as handled. */
  const allHandled = async () => {
    for (;;) {
      const box = await h.mail.read('bot');
      if (box.length > 0 && box.every((entry) => entry.flags.includes('$Olympus'))) return box;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };

  test('the client mails are answered in one thread; the attachment is recorded (name, type, size), never passed on', async () => {
    await replay('client-plain.eml');
    expect(await replyTo(PLAIN_ID)).toHaveLength(1);
    await replay('client-reply-quoted.eml');
    const [answer] = await replyTo(REPLY_ID);
    expect([answer!.references].flat()).toEqual(expect.arrayContaining([PLAIN_ID, REPLY_ID]));
    const thread = await h.store.conversations.findByThread('email', PLAIN_ID);
    const said = thread!.messages
      .filter((message) => message.from === 'client')
      .map((message) => message.text);
    expect(said).toHaveLength(2);
    expect(said[1]).toContain('Reminders by SMS as well');
    expect(said[1]).not.toContain('Hermes wrote');

    await replay('client-html-attachment.eml');
    expect(await replyTo(RICH_ID)).toHaveLength(1);
    const recorded = await h.store.inbox.get(h.inboxKey(RICH_ID));
    expect(recorded?.payload).toMatchObject({
      attachments: [{ name: 'floor-plan.pdf', type: 'application/pdf', dropped: false }],
      authentication: { verdict: 'verified' },
    });
  });

  test('the auto-reply and the bounce get no answer', async () => {
    await replay('auto-reply.eml');
    await replay('bounce-mailer-daemon.eml', '');
    const marker = messageId('after-fixtures');
    await h.exchange({ id: marker, subject: 'Still there?', text: 'Just checking in.' });
    await allHandled();
    const alice = (await h.mail.read('alice')).map((entry) => entry.mail);
    expect(repliesTo(AUTO_ID)(alice)).toHaveLength(0);
    expect((await h.store.inbox.get(h.inboxKey(AUTO_ID)))?.payload).toMatchObject({
      ignored: 'Auto-Submitted',
    });
    const bounce = (await h.mail.read('bot')).find(
      (entry) => entry.mail.from?.value[0]?.address === 'MAILER-DAEMON@localhost',
    );
    const bounceRow = await h.store.inbox.get(h.inboxKey(bounce!.mail.messageId!));
    expect(bounceRow?.payload).toMatchObject({ ignored: expect.any(String) });
    expect(await h.store.outbox.get(`email.reply:${BOT}:${bounce!.mail.messageId!}`)).toBeNull();
  });

  test('a mail seen again after a reconnect (its flags lost), and a second copy of it: one inbox row, one answer', async () => {
    await allHandled();
    const rowsBefore = await inboxRowsMentioning(h.connectionString, PLAIN_ID);
    expect(rowsBefore).toEqual([{ key: h.inboxKey(PLAIN_ID), status: 'done', attempts: 1 }]);

    // The handled flags never reached the server (a crash right after answering): the catch-up of the
    // next connection sees the mail as new.
    await h.surface.stop();
    const imap = new ImapFlow({
      host: '127.0.0.1',
      port: h.mail.imapPort,
      secure: false,
      auth: { user: BOT, pass: MAIL_PASSWORD },
      logger: false,
    });
    await imap.connect();
    await imap.mailboxOpen('INBOX');
    const uids = await imap.search({ header: { 'message-id': PLAIN_ID } }, { uid: true });
    expect(uids).toHaveLength(1);
    await imap.messageFlagsRemove(String((uids as number[])[0]), ['\\Seen', '$Olympus'], { uid: true });
    await imap.logout();
    h.surface = h.newSurface();
    await h.surface.start();
    await allHandled();
    // A second copy of the same mail arrives (under a new UID).
    await replay('client-plain.eml');
    await h.mail.waitFor('bot', (all) => all.filter((mail) => mail.messageId === PLAIN_ID).length === 2);
    const box = await allHandled();
    await h.surface.settled();

    expect(box.filter((entry) => entry.mail.messageId === PLAIN_ID)).toHaveLength(2);
    expect(await inboxRowsMentioning(h.connectionString, PLAIN_ID)).toEqual([
      { key: h.inboxKey(PLAIN_ID), status: 'done', attempts: 1 },
    ]);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const alice = (await h.mail.read('alice')).map((entry) => entry.mail);
    expect(repliesTo(PLAIN_ID)(alice)).toHaveLength(1);
  });
});
