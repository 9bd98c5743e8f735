import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { loadConfig } from '../../bot/config/load-config.js';
import { isOwnAddress, projectAddress, projectKeyOf } from '../../bot/email/addresses.js';
import { attachmentsOf, textPart } from '../../bot/email/body-structure.js';
import { imapConnection, type EmailSettings } from '../../bot/email/email-settings.js';
import { keptWithoutReply, noReplyReason, type HeaderLine } from '../../bot/email/loop-guard.js';
import { droppedNote } from '../../bot/email/oversized.js';
import { htmlToPlain, newWords, parseMail } from '../../bot/email/parse-mail.js';
import { authenticateSender } from '../../bot/email/sender-authentication.js';
import { replySubject, simpleHtml } from '../../bot/email/compose-mail.js';
import { effectMessageId } from '../../bot/email/message-id.js';

const line = (name: string, value: string): HeaderLine => ({
  key: name.toLowerCase(),
  line: `${name}: ${value}`,
});
const OURS = 'hermes@example.com';

describe('loop guard', () => {
  test('names the reason not to answer', () => {
    const from = 'client@example.org';
    expect(noReplyReason([line('Auto-Submitted', 'auto-replied')], from, OURS)).toBe('Auto-Submitted');
    expect(noReplyReason([line('Auto-Submitted', 'no')], from, OURS)).toBeNull();
    expect(noReplyReason([line('Precedence', 'Bulk')], from, OURS)).toBe('Precedence');
    expect(noReplyReason([line('Precedence', 'first-class')], from, OURS)).toBeNull();
    expect(noReplyReason([line('List-Id', '<a.example.org>')], from, OURS)).toBe('List-Id');
    expect(noReplyReason([line('Return-Path', '< >')], from, OURS)).toBe('empty Return-Path');
    expect(noReplyReason([], 'mailer-daemon@example.org', OURS)).toBe('MAILER-DAEMON');
    expect(noReplyReason([], 'Hermes+shop@Example.com', OURS)).toBe('own address');
    expect(noReplyReason([line('Return-Path', '<client@example.org>')], from, OURS)).toBeNull();
  });

  test('honours X-Auto-Response-Suppress (All, AutoReply, OOF) and Precedence: auto_reply, keeping the mail', () => {
    const from = 'client@example.org';
    const suppress = (value: string) => noReplyReason([line('X-Auto-Response-Suppress', value)], from, OURS);
    for (const value of [
      'All',
      'AutoReply',
      'OOF',
      'all',
      'AUTOREPLY',
      'oof',
      'DR, OOF',
      'RN,autoreply',
      ' DR ,\r\n ALL',
    ]) {
      expect(suppress(value)).toBe('X-Auto-Response-Suppress');
    }
    for (const value of ['DR, RN', 'DR', 'NDR', 'RN', 'NRN', 'DR, NDR, RN, NRN', '']) {
      expect(suppress(value)).toBeNull();
    }
    expect(
      noReplyReason(
        [line('X-Auto-Response-Suppress', 'DR'), line('X-Auto-Response-Suppress', 'OOF')],
        from,
        OURS,
      ),
    ).toBe('X-Auto-Response-Suppress');
    expect(noReplyReason([line('Precedence', 'auto_reply')], from, OURS)).toBe('Precedence: auto_reply');
    expect(noReplyReason([line('Precedence', 'Auto_Reply')], from, OURS)).toBe('Precedence: auto_reply');
    // Stronger reasons win: such mail is only recorded, never kept in a conversation.
    expect(
      noReplyReason(
        [line('Auto-Submitted', 'auto-replied'), line('X-Auto-Response-Suppress', 'All')],
        from,
        OURS,
      ),
    ).toBe('Auto-Submitted');
    expect(noReplyReason([line('X-Auto-Response-Suppress', 'All')], 'mailer-daemon@example.org', OURS)).toBe(
      'MAILER-DAEMON',
    );
    expect(keptWithoutReply('X-Auto-Response-Suppress')).toBe(true);
    expect(keptWithoutReply('Precedence: auto_reply')).toBe(true);
    expect(keptWithoutReply('Auto-Submitted')).toBe(false);
    expect(keptWithoutReply('Precedence')).toBe(false);
    expect(keptWithoutReply(null)).toBe(false);
  });
});

describe('addresses', () => {
  test('plus-addresses of projects', () => {
    expect(projectAddress(OURS, 'sales-digest')).toBe('hermes+sales-digest@example.com');
    expect(projectKeyOf(OURS, 'Hermes+Sales-Digest@example.com')).toBe('sales-digest');
    expect(projectKeyOf(OURS, 'hermes@example.com')).toBeNull();
    expect(projectKeyOf(OURS, 'other+x@example.com')).toBeNull();
    expect(projectKeyOf(OURS, 'hermes+x@example.org')).toBeNull();
    expect(isOwnAddress(OURS, 'client@example.com')).toBe(false);
  });

  test('IMAP URLs need a user and a password', () => {
    expect(imapConnection('imaps://bot%40example.com:p%40ss@mail.example.com')).toEqual({
      host: 'mail.example.com',
      port: 993,
      secure: true,
      user: 'bot@example.com',
      pass: 'p@ss',
    });
    expect(() => imapConnection('imap://mail.example.com')).toThrow('user and a password');
  });
});

describe('sender authentication', () => {
  test('trusts only the topmost Authentication-Results with our authserv-id', () => {
    const ours = line(
      'Authentication-Results',
      'mx.example.com; spf=pass; dmarc=pass header.from=example.org',
    );
    const forged = line('Authentication-Results', 'mx.example.com; dmarc=pass');
    const theirs = line('Authentication-Results', 'evil.example.net; dmarc=pass');
    expect(authenticateSender([ours], 'mx.example.com').verdict).toBe('verified');
    expect(authenticateSender([theirs, forged], 'mx.example.com').verdict).toBe('unverified');
    expect(
      authenticateSender([line('Authentication-Results', 'mx.example.com; dmarc=fail')], 'mx.example.com'),
    ).toEqual({ verdict: 'unverified', detail: 'dmarc=fail' });
    expect(authenticateSender([], 'mx.example.com').verdict).toBe('unverified');
    expect(authenticateSender([theirs], null).verdict).toBe('unchecked');
  });
});

describe('parsing', () => {
  test('keeps the new words, cuts quotes and signatures, turns HTML into text', async () => {
    const source = [
      'From: Alice <Alice@Example.org>',
      'To: hermes@example.com, Bob <bob@example.org>',
      'Subject: Re: shop',
      'Message-ID: <m2@example.org>',
      'In-Reply-To: <m1@example.com>',
      'References: <m0@example.org> <m1@example.com>',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Yes, March is fine.',
      '',
      'On Mon, 1 Mar 2027, Hermes <hermes@example.com> wrote:',
      '> When do you need it?',
      '',
      '-- ',
      'Alice',
      '',
    ].join('\r\n');
    const mail = await parseMail(source);
    expect(mail).toMatchObject({
      from: 'alice@example.org',
      recipients: ['hermes@example.com', 'bob@example.org'],
      messageId: '<m2@example.org>',
      inReplyTo: '<m1@example.com>',
      references: ['<m0@example.org>', '<m1@example.com>'],
      text: 'Yes, March is fine.',
      attachments: [],
    });
    expect(htmlToPlain('<p>Hello &amp; welcome</p><script>x()</script><div>Bye</div>')).toBe(
      'Hello & welcome\nBye',
    );
    expect(newWords('> only a quote')).toBe('> only a quote');
  });

  test('records attachments without their content; the note names what was dropped', () => {
    const structure = {
      type: 'multipart/mixed',
      childNodes: [
        { part: '1', type: 'text/plain', size: 20 },
        {
          part: '2',
          type: 'application/pdf',
          encoding: 'base64',
          size: 4_000,
          disposition: 'attachment',
          dispositionParameters: { filename: 'spec.pdf' },
        },
      ],
    };
    expect(textPart(structure)).toEqual({ part: '1', isHtml: false, size: 20 });
    const attachments = attachmentsOf(structure);
    expect(attachments).toEqual([{ name: 'spec.pdf', type: 'application/pdf', size: 3_000, dropped: true }]);
    expect(droppedNote(attachments, 1024)).toContain('spec.pdf (application/pdf, 3 KB)');
    expect(droppedNote([], 1024)).toBeNull();
  });
});

describe('outgoing mail', () => {
  test('a fixed Message-ID per effect, Re: once, escaped HTML', () => {
    expect(effectMessageId('e1', OURS)).toBe(effectMessageId('e1', OURS));
    expect(effectMessageId('e1', OURS)).not.toBe(effectMessageId('e2', OURS));
    expect(effectMessageId('e1', OURS)).toMatch(/^<[0-9a-f]{32}\.olympus@example\.com>$/);
    expect(replySubject('Re: shop')).toBe('Re: shop');
    expect(replySubject('shop')).toBe('Re: shop');
    expect(simpleHtml('a <b>\n\nc')).toContain('<p>a &lt;b&gt;</p>\n<p>c</p>');
  });
});

describe('configuration', () => {
  test('the email variables become the surface settings', () => {
    const env = {
      OLYMPUS_EMAIL_ADDRESS: 'hermes@example.com',
      IMAP_URL: 'imaps://hermes%40example.com:imap-secret@mail.example.com',
      SMTP_URL: 'smtps://hermes%40example.com:smtp-secret@mail.example.com',
    };
    const cwd = mkdtempSync(path.join(tmpdir(), 'olympus-email-config-'));
    const defaults: EmailSettings | null = loadConfig({ env, cwd }).email;
    expect(defaults).toEqual({
      address: 'hermes@example.com',
      imapUrl: env.IMAP_URL,
      smtpUrl: env.SMTP_URL,
      authservId: null,
      maxBytes: 10_485_760,
      repliesPerHour: 30,
      verify: 'authentication-results',
    });
    const tuned = loadConfig({
      env: {
        ...env,
        OLYMPUS_EMAIL_AUTHSERV_ID: 'mx.example.com',
        OLYMPUS_EMAIL_MAX_BYTES: '1000',
        OLYMPUS_EMAIL_REPLIES_PER_HOUR: '3',
      },
      cwd,
    });
    expect(tuned.email).toMatchObject({ authservId: 'mx.example.com', maxBytes: 1000, repliesPerHour: 3 });
    expect(tuned.secrets).toEqual(expect.arrayContaining(['imap-secret', 'smtp-secret']));
  });
});
