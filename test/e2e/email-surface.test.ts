/**
 * The email surface against a real Dovecot (IMAP) and Postfix (SMTP) on loopback: mail in, Hermes's reply
 * out in the same thread, plus-addresses and spoofed senders, no answers to auto-replies, lists or bounces,
 * mail asking for no automatic answer kept in its conversation unanswered, oversized mail answered politely.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import {
  ALICE,
  AUTHSERV,
  BOT,
  describeWithMail,
  messageId,
  PASS_HEADER,
  repliesTo,
  startEmailHarness,
  type EmailHarness,
} from '../support/mail/email-harness.js';
import { until } from '../support/until.js';

describeWithMail()('email surface: intake, threading, loops and limits (Dovecot + Postfix)', () => {
  let h: EmailHarness;

  beforeAll(async () => {
    h = await startEmailHarness();
  }, 120_000);

  afterAll(async () => {
    await h?.teardown();
  });

  test('a new mail gets Hermes’s intake reply in the same thread', async () => {
    const id = messageId('new');
    const reply = await h.exchange({
      id,
      subject: 'A booking app',
      text: 'Hi, we need a booking app for our salon.',
    });
    expect(reply.from?.value[0]?.address).toBe(BOT);
    expect(reply.subject).toBe('Re: A booking app');
    expect(reply.inReplyTo).toBe(id);
    expect([reply.references].flat()).toContain(id);
    expect(reply.headers.get('auto-submitted')).toBe('auto-replied');
    expect(reply.text).toContain('Hermes');
    expect(reply.html).toContain('<p>');
    expect(reply.replyTo).toBeUndefined();
    const conversation = await h.store.conversations.findByThread('email', id);
    expect(conversation?.messages.map((message) => message.from)).toEqual(['client', 'hermes']);
  });

  test('once the thread has a project, replies carry its plus-address and mail to it lands in the thread', async () => {
    const root = messageId('project');
    await h.exchange({ id: root, subject: 'Sales digest', text: 'We need a weekly sales digest.' });
    const conversation = (await h.store.conversations.findByThread('email', root))!;
    const { project } = await h.store.projects.create({
      key: 'sales-digest',
      title: 'Sales Digest',
      ownerId: conversation.identityId,
      brief: { title: 'Sales Digest' },
      createdBy: 'test',
    });
    expect(
      await h.store.conversations.update(conversation.id, conversation.version, {
        projectId: project.id,
        state: 'handed_off',
      }),
    ).not.toBeNull();

    const followUp = messageId('follow-up');
    const reply = await h.exchange({
      id: followUp,
      subject: 'Re: Sales digest',
      text: 'How is it going?',
      references: [root],
    });
    expect(reply.replyTo?.value[0]?.address).toBe('bot+sales-digest@example.test');
    expect([reply.references].flat()).toEqual(expect.arrayContaining([root, followUp]));
    expect((await h.store.projects.get(project.id))?.threads).toEqual([
      { surface: 'email', channel: BOT, threadKey: root },
    ]);

    const direct = messageId('plus');
    await h.exchange({
      id: direct,
      subject: 'Another question',
      text: 'Any news?',
      to: 'bot+sales-digest@example.test',
    });
    const thread = (await h.store.conversations.findByThread('email', root))!;
    expect(thread.messages.filter((message) => message.text === 'Any news?')).toHaveLength(1);

    // The same mail without our server's passing Authentication-Results never reaches the project.
    const spoofed = messageId('spoofed');
    await h.exchange({
      id: spoofed,
      subject: 'Another question',
      text: 'Cancel everything',
      to: 'bot+sales-digest@example.test',
      headers: { 'Authentication-Results': `${AUTHSERV}; dmarc=fail header.from=example.test` },
    });
    const after = (await h.store.conversations.findByThread('email', root))!;
    expect(after.messages.some((message) => message.text === 'Cancel everything')).toBe(false);
    const separate = await h.store.conversations.findByThread('email', `unverified:${spoofed}`);
    expect(separate?.identityId).not.toBe(conversation.identityId);
    expect(separate?.projectId).toBeNull();

    // A digest for the project goes to the same thread, once per effect id.
    const notice = {
      effectId: `digest:${project.id}:week-1`,
      conversationId: conversation.id,
      text: 'On track.',
    };
    const digestId = await h.surface.notify(notice);
    expect(await h.surface.notify(notice)).toBe(digestId);
    const box = await h.mail.waitFor('alice', (all) => all.some((entry) => entry.messageId === digestId));
    const digests = box.filter((entry) => entry.messageId === digestId);
    expect(digests).toHaveLength(1);
    expect(digests[0]).toMatchObject({ inReplyTo: root, subject: 'Re: Sales Digest', text: 'On track.' });
    expect(digests[0]?.replyTo?.value[0]?.address).toBe('bot+sales-digest@example.test');
  });
  test('auto-replies, bulk and list mail, bounces and our own mail get no answer', async () => {
    const baits: Array<{ id: string; from: string; headers: Record<string, string>; envelopeFrom?: string }> =
      [
        { id: messageId('auto'), from: ALICE, headers: { ...PASS_HEADER, 'Auto-Submitted': 'auto-replied' } },
        { id: messageId('bulk'), from: ALICE, headers: { ...PASS_HEADER, Precedence: 'bulk' } },
        { id: messageId('list'), from: ALICE, headers: { ...PASS_HEADER, 'List-Id': '<news.example.test>' } },
        { id: messageId('daemon'), from: 'MAILER-DAEMON@example.test', headers: PASS_HEADER },
        { id: messageId('bounce'), from: ALICE, headers: PASS_HEADER, envelopeFrom: '' },
        { id: messageId('self'), from: 'bot+sales-digest@example.test', headers: PASS_HEADER },
      ];
    for (const bait of baits) {
      await h.mail.send({
        from: bait.from,
        to: BOT,
        subject: 'Out of office',
        text: 'I am away until Monday.',
        messageId: bait.id,
        headers: bait.headers,
        ...(bait.envelopeFrom !== undefined ? { envelope: { from: bait.envelopeFrom, to: BOT } } : {}),
      });
    }
    // A normal mail sent after the baits is answered; by then the baits were handled too (UID order).
    const marker = messageId('after-baits');
    await h.exchange({ id: marker, subject: 'Still there?', text: 'Just checking in.' });
    // The baits' flags are stored on their own writes; on a busy machine the last may land just after the
    // marker's reply, so they are waited for (never answered is what matters, checked below).
    const botBox = await until(
      async () => {
        const box = await h.mail.read('bot');
        const flagged = baits.every((bait) =>
          box.find((entry) => entry.mail.messageId === bait.id)?.flags.includes('$Olympus'),
        );
        return flagged ? box : null;
      },
      20_000,
      200,
    );
    for (const bait of baits) {
      const stored = botBox.find((entry) => entry.mail.messageId === bait.id);
      expect(stored?.flags).toEqual(expect.arrayContaining(['\\Seen', '$Olympus']));
      const recorded = await h.store.inbox.get(h.inboxKey(bait.id));
      expect(recorded?.payload).toMatchObject({ ignored: expect.any(String), uid: stored!.uid });
      expect(await h.store.outbox.get(`email.reply:${BOT}:${bait.id}`)).toBeNull();
    }
    const alice = (await h.mail.read('alice')).map((entry) => entry.mail);
    for (const bait of baits) expect(repliesTo(bait.id)(alice)).toHaveLength(0);
  });
  test('X-Auto-Response-Suppress and Precedence: auto_reply: kept in the conversation, never answered', async () => {
    const kept = [
      { id: messageId('suppress'), headers: { 'X-Auto-Response-Suppress': 'DR, OOF, AutoReply' } },
      { id: messageId('auto-reply-precedence'), headers: { Precedence: 'auto_reply' } },
    ];
    for (const [index, bait] of kept.entries()) {
      await h.mail.send({
        from: ALICE,
        to: BOT,
        subject: `Calendar note ${index}`,
        text: `Note number ${index} for the booking app.`,
        messageId: bait.id,
        headers: { ...PASS_HEADER, ...bait.headers },
      });
    }
    // Only DR and RN suppressed: this one is answered; sent last, it is handled after the others (UID order).
    const answered = messageId('suppress-dr-rn');
    await h.exchange({
      id: answered,
      subject: 'Receipts only',
      text: 'Please also keep the receipts.',
      headers: { ...PASS_HEADER, 'X-Auto-Response-Suppress': 'DR, RN' },
    });
    const botBox = await h.mail.read('bot');
    for (const [index, bait] of kept.entries()) {
      const stored = botBox.find((entry) => entry.mail.messageId === bait.id);
      expect(stored?.flags).toEqual(expect.arrayContaining(['\\Seen', '$Olympus']));
      const recorded = await h.store.inbox.get(h.inboxKey(bait.id));
      expect(recorded?.status).toBe('done');
      expect(recorded?.payload).toMatchObject({
        ignored: index === 0 ? 'X-Auto-Response-Suppress' : 'Precedence: auto_reply',
      });
      expect(await h.store.outbox.get(`email.reply:${BOT}:${bait.id}`)).toBeNull();
      const conversation = await h.store.conversations.findByThread('email', bait.id);
      expect(conversation?.messages).toEqual([
        expect.objectContaining({ from: 'client', text: `Note number ${index} for the booking app.` }),
      ]);
    }
    const alice = (await h.mail.read('alice')).map((entry) => entry.mail);
    for (const bait of kept) expect(repliesTo(bait.id)(alice)).toHaveLength(0);
    expect(repliesTo(answered)(alice)).toHaveLength(1);
  });
  test('an oversized attachment is recorded, not passed on, and answered politely', async () => {
    const id = messageId('big');
    await h.mail.send({
      from: ALICE,
      to: BOT,
      subject: 'Our designs',
      text: 'Here are the designs for the shop.',
      messageId: id,
      headers: PASS_HEADER,
      attachments: [
        {
          filename: 'designs.bin',
          content: Buffer.alloc(40 * 1024 * 1024, 7),
          contentType: 'application/octet-stream',
        },
      ],
    });
    const messages = await h.mail.waitFor('alice', (all) => repliesTo(id)(all).length > 0);
    const reply = repliesTo(id)(messages)[0]!;
    expect(reply.text).toContain('designs.bin');
    expect(reply.text).toContain('did not keep');
    const conversation = (await h.store.conversations.findByThread('email', id))!;
    expect(conversation.messages[0]?.text).toBe('Here are the designs for the shop.');
    const botBox = await h.mail.read('bot');
    const uid = botBox.find((entry) => entry.mail.messageId === id)!.uid;
    const entries = await h.store.inbox.listUnfinished();
    expect(entries.filter((entry) => entry.surface === 'email')).toEqual([]);
    const recorded = await h.store.inbox.get(h.inboxKey(id));
    expect(recorded?.payload).toMatchObject({
      uid,
      attachments: [{ name: 'designs.bin', type: 'application/octet-stream', dropped: true }],
    });
  });
  test('a mail with 500 MIME parts keeps its text; its attachments are listed, not kept', async () => {
    const id = messageId('parts');
    await h.mail.send({
      from: ALICE,
      to: BOT,
      subject: 'Many files',
      text: 'All our icons are attached.',
      messageId: id,
      headers: PASS_HEADER,
      attachments: Array.from({ length: 499 }, (_, index) => ({
        filename: `icon-${index}.txt`,
        content: `icon ${index}`,
        contentType: 'text/csv',
      })),
    });
    const messages = await h.mail.waitFor('alice', (all) => repliesTo(id)(all).length > 0);
    const reply = repliesTo(id)(messages)[0]!;
    expect(reply.text).toContain('icon-0.txt');
    expect(reply.text).toContain('and 479 more');
    const conversation = (await h.store.conversations.findByThread('email', id))!;
    expect(conversation.messages[0]?.text).toBe('All our icons are attached.');
  });
});
