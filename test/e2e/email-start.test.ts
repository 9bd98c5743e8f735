import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { findFreePort } from '../../storage/free-port.js';
import { cleanEnv, startCli, waitForStatus, type Running } from '../support/cli-process.js';
import { startMailServer, type MailServer } from '../support/mail-server.js';
import {
  AUTHSERV,
  PASS_HEADER,
  describeWithMail,
  messageId,
  repliesTo,
} from '../support/mail/email-harness.js';

describeWithMail()('olympus start with email configured', () => {
  let mail: MailServer;
  let running: Running;

  beforeAll(async () => {
    mail = await startMailServer();
    const cwd = mkdtempSync(path.join(tmpdir(), 'olympus-email-start-'));
    chmodSync(cwd, 0o755);
    const port = await findFreePort();
    running = startCli(['start'], {
      cwd,
      env: cleanEnv({
        OLYMPUS_HTTP_PORT: String(port),
        OLYMPUS_EMAIL_ADDRESS: 'bot@example.test',
        IMAP_URL: mail.imapUrl('bot'),
        SMTP_URL: mail.smtpUrl(),
        OLYMPUS_EMAIL_AUTHSERV_ID: AUTHSERV,
      }),
    });
    await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 60_000, running);
  }, 90_000);

  afterAll(async () => {
    running.child.kill('SIGTERM');
    await running.exited;
    await mail.stop();
  });

  test('a client mail to the project address gets Hermes in the same thread', async () => {
    const id = messageId('start');
    await mail.send({
      from: 'Alice <alice@example.test>',
      to: 'bot@example.test',
      subject: 'A booking app',
      text: 'Hello, we need an app for booking meeting rooms.',
      messageId: id,
      headers: PASS_HEADER,
    });
    const [reply] = repliesTo(id)(
      await mail.waitFor('alice', (messages) => repliesTo(id)(messages).length > 0, 30_000),
    );
    expect(reply?.subject).toBe('Re: A booking app');
    expect(reply?.headers.get('auto-submitted')).toBe('auto-replied');
    expect(reply?.text).toContain('Hermes');
    expect(running.output()).not.toContain('secret@');
  }, 60_000);

  test('a brief confirmed by mail brings a status digest into the same thread', async () => {
    const root = messageId('brief');
    const send = async (id: string, text: string, references: string[] = []) => {
      await mail.send({
        from: 'Alice <alice@example.test>',
        to: 'bot@example.test',
        subject: references.length > 0 ? 'Re: Room booking' : 'Room booking',
        text,
        messageId: id,
        headers: PASS_HEADER,
        ...(references.length > 0 ? { references, inReplyTo: references.at(-1) } : {}),
      });
      const [reply] = repliesTo(id)(
        await mail.waitFor('alice', (messages) => repliesTo(id)(messages).length > 0, 30_000),
      );
      return reply;
    };
    const shown = await send(
      root,
      'Title: Room Booking\nSummary: an app for booking meeting rooms\nFeatures: booking (must)\nDeadline: 2031-05-01\nBudget: 5,000 EUR',
    );
    expect(shown?.text).toContain('Is this right?');
    const yes = messageId('yes');
    expect((await send(yes, 'yes', [root]))?.text).toContain('Confirmed');
    const isDigest = (text: string | undefined) =>
      (text ?? '').startsWith('Status digest for "Room Booking"');
    const box = await mail.waitFor('alice', (messages) => messages.some((m) => isDigest(m.text)), 60_000);
    const digests = box.filter((m) => isDigest(m.text));
    expect(digests).toHaveLength(1);
    expect(digests[0]?.inReplyTo).toBe(root);
    expect([digests[0]?.references].flat()).toContain(root);
    expect(digests[0]?.replyTo?.value[0]?.address).toBe('bot+room-booking@example.test');
    expect(digests[0]?.text).toContain('Spend: 0.00 EUR of 5,000.00 EUR (0%)');
  }, 120_000);
});
