/**
 * Must show: a client mails the project address, Hermes answers in the same thread, the brief is
 * confirmed (guided intake, no language model), and a status digest arrives in that same thread — sent
 * once, through real Agenda jobs, a real Dovecot and Postfix, and an embedded PostgreSQL. Every message
 * of the exchange threads (In-Reply-To/References) in the client's Maildir.
 */
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import type { ParsedMail } from 'mailparser';
import { createSilentLogger } from '../../common/logging/logger.js';
import { ClientNotices } from '../../orchestration/notices/client-notices.js';
import { NoticeDelivery } from '../../handlers/notify/deliver-notices.js';
import { NOTIFY_JOBS } from '../../ports/job-queue.js';
import { NotifierRegistry } from '../../handlers/notify/notifier-registry.js';
import { notifyJobs } from '../../orchestration/jobs/notify-jobs.js';
import { DeferredJobQueue } from '../../orchestration/deferred-job-queue.js';
import { parseDigestSchedule } from '../../orchestration/digest/digest-schedule.js';
import { ProjectDigests } from '../../orchestration/digest/project-digests.js';
import { requestDigest } from '../../orchestration/digest/request-digest.js';
import { createJobQueue } from '../../bot/wiring/job-queue.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import {
  BOT,
  describeWithMail,
  messageId,
  startEmailHarness,
  type EmailHarness,
} from '../support/mail/email-harness.js';
import { until } from '../support/until.js';

const logger = createSilentLogger();

describeWithMail()('email status digests (Dovecot + Postfix + Agenda)', () => {
  let h: EmailHarness;
  let scheduler: AgendaJobQueue;
  const jobs = new DeferredJobQueue();

  beforeAll(async () => {
    h = await startEmailHarness({
      onHandOff: (projectId) => requestDigest({ jobs, logger }, projectId, 'brief_confirmed'),
    });
    const notifiers = new NotifierRegistry();
    notifiers.register(h.surface.notifier);
    const notices = new ClientNotices({ store: h.store, jobs, logger });
    scheduler = createJobQueue({
      store: h.store,
      logger,
      settings: { processEvery: '1 second', maxConcurrency: 10, lockLimit: 10, lockLifetimeMs: 60_000 },
      shutdownTimeoutMs: 5_000,
      catalogue: notifyJobs({
        notices: new NoticeDelivery({ store: h.store, notifiers, logger, holder: 'email-digest-test' }),
        digests: new ProjectDigests({
          store: h.store,
          notices,
          jobs,
          schedule: parseDigestSchedule('off'),
          logger,
        }),
      }),
      work: true,
    });
    jobs.bind(scheduler);
    await scheduler.start();
  }, 120_000);

  afterAll(async () => {
    await scheduler?.stop();
    await h?.teardown();
  });

  test('mail in, answers in the thread, brief confirmed, one digest in the same thread', async () => {
    const root = messageId('salon');
    const sent: string[] = [root];
    const first = await h.exchange({
      id: root,
      subject: 'A booking app',
      text: 'Hi, we need a booking app for our salon.',
    });
    expect(first.inReplyTo).toBe(root);

    const answer = async (text: string): Promise<ParsedMail> => {
      const id = messageId('answer');
      const reply = await h.exchange({ id, subject: 'Re: A booking app', text, references: [...sent] });
      sent.push(id);
      return reply;
    };
    const answers = [
      'A salon booking site where customers book haircuts online.',
      'online booking (must), reminders (should)',
      'in 8 weeks',
      '$12k',
    ];
    let shown = false;
    for (const text of answers) {
      if ((await answer(text)).text?.includes('Is this right?')) {
        shown = true;
        break;
      }
    }
    expect(shown).toBe(true);
    expect((await answer('title: Salon Booking')).text).toContain('Is this right?');
    const confirmed = await answer('yes');
    expect(confirmed.text).toContain('Confirmed');

    const conversation = await h.store.conversations.findByThread('email', root);
    expect(conversation?.state).toBe('handed_off');
    const projectId = conversation!.projectId!;

    const isDigest = (mail: ParsedMail) => (mail.text ?? '').startsWith('Status digest for "Salon Booking"');
    const box = await h.mail.waitFor('alice', (all) => all.some(isDigest), 60_000);
    const digest = box.find(isDigest)!;
    expect(digest.from?.value[0]?.address).toBe(BOT);
    expect(digest.inReplyTo).toBe(root);
    expect([digest.references].flat()).toContain(root);
    expect(digest.subject).toBe('Re: Salon Booking');
    expect(digest.replyTo?.value[0]?.address).toBe('bot+salon-booking@example.test');
    expect(digest.text).toContain('the brief is confirmed');
    expect(digest.text).toContain('Progress by task:');
    expect(digest.text).toContain('Waiting on:');
    expect(digest.text).toMatch(/Spend: 0.00 USD of 12,000.00 USD \(0%\)/);
    expect(digest.text).toContain('Next steps:');

    // The same milestone again (a retried step) and a sweep: still one digest.
    await requestDigest({ jobs, logger }, projectId, 'brief_confirmed');
    await jobs.enqueue(NOTIFY_JOBS.clientNotifySweep, {});
    await until(async () => {
      const overview = await scheduler.queue();
      const of = (name: string) => overview.find((entry) => entry.name === name);
      const settled = overview.every((entry) => entry.running === 0 && entry.queued === 0);
      return settled && (of(NOTIFY_JOBS.projectDigest)?.completed ?? 0) >= 2 ? true : null;
    }, 30_000);
    const after = (await h.mail.read('alice')).map((entry) => entry.mail);
    expect(after.filter(isDigest)).toHaveLength(1);

    // Every mail Hermes sent threads under the client's first mail.
    const fromBot = after.filter((mail) => mail.from?.value[0]?.address === BOT);
    expect(fromBot.length).toBe(sent.length + 1);
    for (const mail of fromBot) {
      expect(mail.inReplyTo).toBeDefined();
      expect([mail.references].flat()).toContain(root);
      expect(sent.concat(root)).toEqual(expect.arrayContaining([mail.inReplyTo]));
    }
    // And every mail the client sent threads too (the mail server's copies of them in Hermes's INBOX).
    const inbox = (await h.mail.read('bot')).map((entry) => entry.mail);
    for (const mail of inbox.filter(
      (entry) => entry.messageId !== root && sent.includes(entry.messageId ?? ''),
    )) {
      expect([mail.references].flat()).toContain(root);
      expect(mail.inReplyTo).toBeDefined();
    }
  }, 180_000);
});
