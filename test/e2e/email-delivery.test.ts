/**
 * The email surface's delivery guarantees against a real Dovecot (IMAP) and Postfix (SMTP) on loopback:
 * restarts, a Dovecot restart under load, a silently dead IDLE, a UIDVALIDITY change, and outgoing mail
 * sent once (fixed Message-ID, Sent mailbox checked before an ambiguous retry).
 */
import { readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import nodemailer from 'nodemailer';
import { imapConnection } from '../../bot/email/email-settings.js';
import { composeMail } from '../../bot/email/compose-mail.js';
import { emailTransport } from '../../bot/email/email-transport.js';
import { effectMessageId } from '../../bot/email/message-id.js';
import { sendMailOnce, type OutgoingMail } from '../../bot/email/outgoing-mail.js';
import { createSentFolder } from '../../bot/email/sent-folder.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { chatOutbox } from '../../handlers/outbox/chat-outbox.js';
import {
  ALICE,
  BOT,
  describeWithMail,
  messageId,
  PASS_HEADER,
  repliesTo,
  startEmailHarness,
  type EmailHarness,
} from '../support/mail/email-harness.js';

describeWithMail()('email surface: delivery guarantees (Dovecot + Postfix)', () => {
  let h: EmailHarness;

  beforeAll(async () => {
    h = await startEmailHarness();
  }, 120_000);

  afterAll(async () => {
    await h?.teardown();
  });

  test('a restart processes nothing twice and picks up mail that arrived while down', async () => {
    await h.surface.stop();
    const ids = [messageId('down-1'), messageId('down-2')];
    for (const id of ids) {
      await h.mail.send({
        from: ALICE,
        to: BOT,
        subject: 'While you were away',
        text: 'Are you there?',
        messageId: id,
        headers: PASS_HEADER,
      });
    }
    await h.mail.waitFor('bot', (all) => ids.every((id) => all.some((entry) => entry.messageId === id)));
    const before = (await h.mail.read('alice')).length;
    h.surface = h.newSurface();
    await h.surface.start();
    const messages = await h.mail.waitFor('alice', (all) => ids.every((id) => repliesTo(id)(all).length > 0));
    await h.surface.settled();
    for (const id of ids) expect(repliesTo(id)(messages)).toHaveLength(1);
    expect((await h.mail.read('alice')).length).toBe(before + ids.length);
  });
  test('Dovecot restarted while 20 mails arrive: each is answered exactly once after the reconnect', async () => {
    const ids = Array.from({ length: 20 }, (_, index) => messageId(`outage-${index}`));
    const send = (id: string) =>
      h.mail.send({
        from: ALICE,
        to: BOT,
        subject: 'During the outage',
        text: 'Hello again',
        messageId: id,
        headers: PASS_HEADER,
      });
    await h.mail.stopDovecot();
    await Promise.all(ids.slice(0, 10).map(send));
    await h.mail.startDovecot();
    await Promise.all(ids.slice(10).map(send));
    const messages = await h.mail.waitFor(
      'alice',
      (all) => ids.every((id) => repliesTo(id)(all).length > 0),
      90_000,
    );
    await h.surface.settled();
    for (const id of ids) expect(repliesTo(id)(messages)).toHaveLength(1);
  });
  test('an IDLE that died silently is found by the watchdog and the connection is replaced', async () => {
    await h.surface.settled();
    const frozen = await h.mail.imapProcesses();
    expect(frozen.length).toBeGreaterThan(0);
    for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    try {
      const id = messageId('frozen');
      await h.exchange({ id, subject: 'Hello?', text: 'Is anyone reading?' });
    } finally {
      for (const pid of frozen) {
        // Once resumed, a process whose client has gone may exit at once: ESRCH is fine.
        for (const signal of ['SIGCONT', 'SIGTERM'] as const) {
          try {
            process.kill(pid, signal);
          } catch {
            // already gone
          }
        }
      }
    }
  });
  test('the same effect sent twice yields one message with its fixed Message-ID', async () => {
    const transport = nodemailer.createTransport(h.settings.smtpUrl);
    const outgoing: OutgoingMail = {
      effectId: `test.notice:${Date.now()}`,
      kind: 'email.notice',
      to: ALICE,
      subject: 'Your digest',
      text: 'All on track.',
      inReplyTo: null,
      references: [],
      replyTo: null,
    };
    const sender = {
      outbox: chatOutbox(h.store.outbox),
      transport: emailTransport({ smtp: transport, address: BOT }),
      address: BOT,
    };
    const first = await sendMailOnce(sender, outgoing);
    const second = await sendMailOnce(sender, outgoing);
    expect(second).toBe(first);
    const messages = await h.mail.waitFor('alice', (all) => all.some((entry) => entry.messageId === first));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const again = (await h.mail.read('alice')).filter((entry) => entry.mail.messageId === first);
    expect(again).toHaveLength(1);
    expect(messages.find((entry) => entry.messageId === first)?.headers.get('auto-submitted')).toBe(
      'auto-replied',
    );
    transport.close();
  });
  test('a retry after an attempt with unknown outcome finds the mail in Sent and does not send it again', async () => {
    const transport = nodemailer.createTransport(h.settings.smtpUrl);
    const sentFolder = createSentFolder(imapConnection(h.settings.imapUrl), createSilentLogger());
    const sender = {
      outbox: chatOutbox(h.store.outbox),
      transport: emailTransport({ smtp: transport, address: BOT, sentFolder }),
      address: BOT,
    };
    const outgoing: OutgoingMail = {
      effectId: `test.ambiguous:${Date.now()}`,
      kind: 'email.notice',
      to: ALICE,
      subject: 'Ambiguous',
      text: 'Sent once, acknowledged never.',
      inReplyTo: null,
      references: [],
      replyTo: null,
    };
    // Attempt 1 reached the server and was kept in Sent, but the process died before the outbox knew.
    const id = effectMessageId(outgoing.effectId, BOT);
    await h.store.outbox.enqueue(outgoing.effectId, outgoing.kind, {});
    expect((await h.store.outbox.begin(outgoing.effectId))?.attempts).toBe(1);
    const raw = await composeMail({ ...outgoing, messageId: id, from: { name: 'Hermes', address: BOT } });
    await transport.sendMail({ envelope: { from: BOT, to: ALICE }, raw });
    await sentFolder.keep(raw);

    expect(await sendMailOnce(sender, outgoing)).toBe(id);
    expect(await h.store.outbox.get(outgoing.effectId)).toMatchObject({
      status: 'done',
      attempts: 2,
      result: { channel: ALICE, messageId: id },
    });
    await h.mail.waitFor('alice', (all) => all.some((entry) => entry.messageId === id));
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect((await h.mail.read('alice')).filter((entry) => entry.mail.messageId === id)).toHaveLength(1);
    transport.close();
  });
  test('after a UIDVALIDITY change every mail is seen again under new UIDs, and none is answered twice', async () => {
    const before = await h.uidKey(1);
    const answered = (await h.mail.read('alice')).length;
    await h.surface.stop();
    await h.mail.stopDovecot();
    // Forget UIDs, indexes and flags: Dovecot assigns a new UIDVALIDITY and every mail looks new.
    const maildir = path.join(h.mail.dir, 'vmail', 'example.test', 'bot');
    for (const name of readdirSync(maildir)) {
      if (name.startsWith('dovecot')) rmSync(path.join(maildir, name), { force: true });
    }
    for (const name of readdirSync(path.join(maildir, 'cur'))) {
      renameSync(path.join(maildir, 'cur', name), path.join(maildir, 'new', name.split(':')[0]!));
    }
    await h.mail.startDovecot();
    expect(await h.uidKey(1)).not.toBe(before);
    h.surface = h.newSurface();
    await h.surface.start();
    for (;;) {
      const box = await h.mail.read('bot');
      if (box.every((entry) => entry.flags.includes('$Olympus'))) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await h.surface.settled();
    // The mail now at UID 1 is the entry recorded under its Message-ID before the change: done, once.
    const first = (await h.mail.read('bot')).find((entry) => entry.uid === 1)!;
    expect((await h.store.inbox.get(h.inboxKey(first.mail.messageId!)))?.status).toBe('done');
    expect((await h.mail.read('alice')).length).toBe(answered);
  });
});
