#!/usr/bin/env node
// Records the email fixtures of test/fixtures/email/ from a real Postfix and Dovecot: starts the test mail
// server (start-mail.sh) in a temporary directory, mails the bot as a client would (a DKIM-signed plain
// mail, a reply quoting Hermes, an HTML + text mail with a PDF attached, an out-of-office auto-reply), has
// Postfix bounce one of the bot's own mails (external delivery is refused there, so Postfix's own
// MAILER-DAEMON report comes back), and writes each message as Dovecot stored it. The DKIM key's public
// half goes to dkim-s2026.example.test.txt, for tests that verify the signatures.
// Run as root (the mail server needs it): node scripts/record-email-fixtures.mjs
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const here = path.join(root, 'test/support/mail');
const out = path.join(root, 'test/fixtures/email');
const domain = 'example.test';
const pass = 'secret';

const freePort = () =>
  new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const dir = mkdtempSync(path.join(tmpdir(), 'olympus-mail-record-'));
const [imap, smtp, lmtp] = [await freePort(), await freePort(), await freePort()];
const env = {
  ...process.env,
  MAIL_DIR: dir,
  IMAP_PORT: String(imap),
  SMTP_PORT: String(smtp),
  LMTP_PORT: String(lmtp),
  MAIL_DOMAIN: domain,
  MAIL_PASS: pass,
};
execFileSync('bash', [path.join(here, 'start-mail.sh')], { env, stdio: 'inherit' });
const stopMail = () => {
  execFileSync('bash', [path.join(here, 'stop-mail.sh')], { env, stdio: 'inherit' });
  rmSync(dir, { recursive: true, force: true });
};
process.on('uncaughtException', (error) => {
  stopMail();
  throw error;
});

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const dkim = {
  domainName: domain,
  keySelector: 's2026',
  privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
};
const client = nodemailer.createTransport({ host: '127.0.0.1', port: smtp, secure: false, dkim });

const alice = { name: 'Alice Martin', address: `alice@${domain}` };
const bot = `bot@${domain}`;
const authResults = () =>
  `mx.${domain}; dkim=pass header.d=${domain} header.s=s2026 header.i=@${domain}; ` +
  `spf=pass (mx.${domain}: domain of alice@${domain} designates 127.0.0.1 as permitted sender) ` +
  `smtp.mailfrom=alice@${domain}; dmarc=pass (p=quarantine sp=quarantine dis=none) header.from=${domain}`;
const mua = { 'User-Agent': 'Mozilla Thunderbird 128.5.0' };

const plainId = '<3f6c1b0e-9a52-4d1e-b7c4-2e8f1a6d9c30@example.test>';
const hermesId = '<4b1e0c2a9d7f3e5a8c6b2d4f1e3a5c7b.olympus@example.test>';
const replyId = '<a81d44c7-02b3-4f6e-9d15-7c3e2b9f0a64@example.test>';
const richId = '<CAF7x9kQm2p_Lr8vT3nWzYd5sH1gJ4bE6cU0aN@mail.example.test>';
const autoId = '<AM0PR07MB6423F1C2D3E4A5B6C7D8E9F0A1B2C3D4@AM0PR07MB6423.eurprd07.prod.outlook.com>';

await client.sendMail({
  from: alice,
  to: bot,
  subject: 'Online booking for our salon',
  messageId: plainId,
  date: new Date('2026-11-30T09:14:03Z'),
  headers: { ...mua, 'Authentication-Results': authResults(), 'Content-Language': 'en-GB' },
  text:
    'Hi Hermes,\n\nwe run a small hair salon in Leeds and need an online booking page: customers ' +
    'pick a stylist and a time, and get a confirmation mail and a reminder the day before.\n\n' +
    'Budget is around £12k, and we would like it live by March.\n\nThanks,\nAlice\n\n-- \n' +
    'Alice Martin\nMartin & Co Hair\n',
});

await client.sendMail({
  from: alice,
  to: bot,
  subject: 'Re: Online booking for our salon',
  messageId: replyId,
  inReplyTo: hermesId,
  references: [plainId, hermesId],
  date: new Date('2026-11-30T10:02:41Z'),
  headers: { ...mua, 'Authentication-Results': authResults(), 'Content-Language': 'en-GB' },
  text:
    'Reminders by SMS as well, please, if that fits the budget. The title can be "Salon Booking".\n\n' +
    'Alice\n\nOn 30/11/2026 09:15, Hermes wrote:\n> Thanks, Alice. A few questions before I write the brief:\n' +
    '> which features are a must, and which would be nice to have?\n>\n> Hermes\n',
});

// A minimal one-page PDF: the floor plan the client attaches.
const pdf = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
);
await client.sendMail({
  from: alice,
  to: bot,
  cc: `office@${domain}`,
  subject: 'Floor plan and opening hours',
  messageId: richId,
  date: new Date('2026-12-01T08:30:12Z'),
  headers: { 'Authentication-Results': authResults(), 'X-Mailer': 'iPhone Mail (22B91)' },
  text:
    'Hello,\n\nattached is our floor plan. We have 4 chairs and open Tuesday to Saturday, 9am to 6pm.\n\n' +
    'Best,\nAlice',
  html:
    '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body ' +
    'dir="auto"><div>Hello,</div><div><br></div><div>attached is our <b>floor plan</b>. We have 4 chairs ' +
    'and open Tuesday to Saturday, 9am to 6pm.</div><div><br></div><div>Best,</div><div>Alice</div></body></html>',
  attachments: [{ filename: 'floor-plan.pdf', content: pdf, contentType: 'application/pdf' }],
});

await client.sendMail({
  from: alice,
  to: bot,
  subject: 'Automatic reply: Re: Online booking for our salon',
  messageId: autoId,
  inReplyTo: hermesId,
  references: [hermesId],
  date: new Date('2026-12-02T07:00:05Z'),
  headers: {
    'Authentication-Results': authResults(),
    'Auto-Submitted': 'auto-replied',
    'X-Auto-Response-Suppress': 'All',
    'X-MS-Exchange-Inbox-Rules-Loop': `alice@${domain}`,
    'Thread-Topic': 'Online booking for our salon',
    'Content-Language': 'en-GB',
  },
  text: 'I am away until Monday 7 December with limited access to mail. For urgent matters call the salon.\n',
});

// One of the bot's own mails to an outside address, handed to Postfix's sendmail (so no SMTP check
// refuses it first): this Postfix delivers nothing outside, so its MAILER-DAEMON bounces it to the bot.
const outgoing = await nodemailer
  .createTransport({ streamTransport: true, buffer: true, newline: 'unix' })
  .sendMail({
    from: { name: 'Hermes', address: bot },
    to: 'bookings@salon-martin.example',
    subject: 'Re: Online booking for our salon',
    messageId: '<9c2f7e1a3b5d4c6e8f0a2b4c6d8e0f1a.olympus@example.test>',
    headers: { 'Auto-Submitted': 'auto-replied' },
    text: 'Thanks, I have your message.',
  });
execFileSync(
  '/usr/sbin/sendmail',
  ['-C', path.join(dir, 'postfix'), '-f', bot, 'bookings@salon-martin.example'],
  {
    input: outgoing.message,
  },
);

async function mailbox(user, count) {
  const imapClient = new ImapFlow({
    host: '127.0.0.1',
    port: imap,
    secure: false,
    auth: { user: `${user}@${domain}`, pass },
    logger: false,
  });
  await imapClient.connect();
  try {
    for (let attempt = 0; attempt < 150; attempt += 1) {
      const opened = await imapClient.mailboxOpen('INBOX', { readOnly: true });
      if (opened.exists >= count) break;
      await imapClient.mailboxClose();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const sources = [];
    for await (const message of imapClient.fetch('1:*', { source: true })) sources.push(message.source);
    return sources;
  } finally {
    await imapClient.logout();
  }
}

try {
  const received = await mailbox('bot', 5);
  const unfolded = (source) => source.toString('utf8').replace(/\r?\n[ \t]+/g, ' ');
  const byId = (id) => received.find((source) => unfolded(source).includes(`Message-ID: ${id}`));
  const bounce = received.find((source) => /^From: .*<MAILER-DAEMON@/im.test(unfolded(source)));
  const files = {
    'client-plain.eml': byId(plainId),
    'client-reply-quoted.eml': byId(replyId),
    'client-html-attachment.eml': byId(richId),
    'auto-reply.eml': byId(autoId),
    'bounce-mailer-daemon.eml': bounce,
  };
  for (const [name, source] of Object.entries(files)) {
    if (!source) throw new Error(`${name}: not received`);
    writeFileSync(path.join(out, name), source);
  }
  const der = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  writeFileSync(path.join(out, 'dkim-s2026.example.test.txt'), `v=DKIM1; k=rsa; p=${der}\n`);
  process.stdout.write(`recorded ${Object.keys(files).length} messages into ${out}\n`);
} finally {
  client.close();
  stopMail();
}
