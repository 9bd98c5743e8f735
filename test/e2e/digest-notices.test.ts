/**
 * Client notices and digests through the Discord surface (real discord.js, fake Discord on loopback),
 * real Agenda jobs and an embedded PostgreSQL: an orchestration notice reaches the project's thread once
 * however often it is told; a notice recorded without its job (a crash) is delivered by the sweep; a
 * redriven intake reply reaches the client's DM; the scheduled digest is due in the client's time zone
 * and sent once a day.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createDiscordSurface, type DiscordSurface } from '../../bot/discord/discord-surface.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { surfaceUseCases } from '../../handlers/surface-use-cases.js';
import { ClientNotices } from '../../orchestration/notices/client-notices.js';
import { NoticeDelivery } from '../../handlers/notify/deliver-notices.js';
import { NOTIFY_JOBS } from '../../ports/job-queue.js';
import { NotifierRegistry } from '../../handlers/notify/notifier-registry.js';
import { notifyJobs } from '../../orchestration/jobs/notify-jobs.js';
import { recordNotice } from '../../orchestration/notices/record-notice.js';
import { recordRedrivenReply } from '../../handlers/notify/redriven-reply.js';
import { tellClient } from '../../orchestration/client-notice.js';
import { DeferredJobQueue } from '../../orchestration/deferred-job-queue.js';
import { parseDigestSchedule } from '../../orchestration/digest/digest-schedule.js';
import { ProjectDigests } from '../../orchestration/digest/project-digests.js';
import { createJobQueue } from '../../bot/wiring/job-queue.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import type { Project } from '../../ports/store.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import {
  DM_CHANNEL,
  GUILD_ID,
  HUMAN_USER,
  startFakeDiscord,
  type FakeDiscord,
} from '../support/fake-discord.js';
import { until } from '../support/until.js';

const logger = createSilentLogger();
const THREAD = '500000000000000001';

let discord: FakeDiscord;
let embedded: EmbeddedStore;
let surface: DiscordSurface;
let scheduler: AgendaJobQueue;
let delivery: NoticeDelivery;
// Days after the projects are made (no scheduled digest on a project's first day).
let now = new Date('2031-03-04T00:30:00Z');
const jobs = new DeferredJobQueue();

beforeAll(async () => {
  [discord, embedded] = await Promise.all([startFakeDiscord(), startEmbeddedStore()]);
  surface = createDiscordSurface({
    settings: { botToken: discord.token, apiUrl: discord.apiUrl, guildId: GUILD_ID, projectsChannel: null },
    useCases: surfaceUseCases({ store: embedded.store }),
    intake: { dispatch: () => Promise.reject(new Error('no client messages in this test')) },
    logger,
  });
  await surface.start();
  const notifiers = new NotifierRegistry();
  notifiers.register(surface.notifier);
  delivery = new NoticeDelivery({ store: embedded.store, notifiers, logger, holder: 'digest-test' });
  scheduler = createJobQueue({
    store: embedded.store,
    logger,
    settings: { processEvery: '1 second', maxConcurrency: 10, lockLimit: 10, lockLifetimeMs: 60_000 },
    shutdownTimeoutMs: 5_000,
    catalogue: notifyJobs({
      notices: delivery,
      digests: new ProjectDigests({
        store: embedded.store,
        notices: new ClientNotices({ store: embedded.store, jobs, logger }),
        jobs,
        schedule: parseDigestSchedule('daily 09:00'),
        logger,
        clock: { now: () => now },
      }),
    }),
    work: true,
  });
  jobs.bind(scheduler);
  await scheduler.start();
}, 120_000);

afterAll(async () => {
  await scheduler?.stop();
  await surface?.stop();
  await discord?.close();
  await embedded?.teardown();
});

async function clientProject(key: string, timezone?: string): Promise<Project> {
  const identity = await embedded.store.identities.ensureByHandle(
    { surface: 'discord', externalId: HUMAN_USER.id },
    { displayName: 'Alice' },
  );
  const conversation = await embedded.store.conversations.ensure('discord', DM_CHANNEL, identity.id);
  const { project } = await embedded.store.projects.create({
    key,
    title: `Project ${key}`,
    ownerId: identity.id,
    budget: { amount: 1000, currency: 'EUR' },
    status: 'active',
    brief: { title: `Project ${key}`, ...(timezone ? { timezone } : {}) },
    createdBy: identity.id,
  });
  await embedded.store.conversations.update(conversation.id, conversation.version, { projectId: project.id });
  return project;
}

const threadPosts = (text: string) =>
  discord.posts(THREAD).filter((call) => String(call.body?.content).includes(text));

describe('client notices', () => {
  test('an orchestration notice reaches the project thread once, however often it is told', async () => {
    const project = await clientProject('notice-once');
    const withThread = (await embedded.store.projects.addThread(project.id, {
      surface: 'discord',
      channel: '300000000000000001',
      threadKey: THREAD,
    }))!;
    const text = 'The plan for "Project notice-once" is approved: 3 tasks.';
    expect(await tellClient(embedded.store, withThread, text, { jobs, logger })).toBe(true);
    expect(await tellClient(embedded.store, withThread, text, { jobs, logger })).toBe(true);
    await until(() => Promise.resolve(threadPosts('is approved').length > 0));
    await jobs.enqueue(NOTIFY_JOBS.clientNotifySweep, {});
    await until(async () =>
      (await embedded.store.outbox.listPending(100)).some((e) => e.kind === 'client.notice') ? null : true,
    );
    expect(threadPosts('is approved')).toHaveLength(1);
    expect(threadPosts('is approved')[0]?.body?.allowed_mentions).toEqual({ parse: [] });
    const conversation = await embedded.store.conversations.findByThread('discord', DM_CHANNEL);
    expect(conversation?.messages.filter((message) => message.text === text)).toHaveLength(1);
  }, 60_000);

  test('a notice recorded but never enqueued (a crash) is delivered by the sweep; a redriven reply reaches the DM', async () => {
    const project = await clientProject('crash-safe');
    const keys = await recordNotice(embedded.store, {
      effectId: 'notice:crash-safe:1',
      kind: 'notice',
      text: 'Your project is on hold.',
      project,
    });
    expect(keys).toHaveLength(1);
    expect((await embedded.store.outbox.get(keys[0]!))?.status).toBe('pending');
    const conversation = (await embedded.store.conversations.findByThread('discord', DM_CHANNEL))!;
    await recordRedrivenReply(embedded.store, 'discord:message:42', {
      conversationId: conversation.id,
      reply: 'Sorry for the wait: here is the answer.',
    });
    await jobs.enqueue(NOTIFY_JOBS.clientNotifySweep, {});
    await until(async () => (await embedded.store.outbox.get(keys[0]!))?.status === 'done');
    await until(() =>
      Promise.resolve(
        discord
          .posts(DM_CHANNEL)
          .some((call) => call.body?.content === 'Sorry for the wait: here is the answer.'),
      ),
    );
    expect(
      discord.posts(DM_CHANNEL).filter((call) => call.body?.content === 'Your project is on hold.'),
    ).toHaveLength(1);
    expect(await delivery.sweep()).toBe(0);
  }, 60_000);
});

describe('scheduled digests', () => {
  test('no scheduled digest on the day a project was made', async () => {
    await clientProject('fresh');
    const lateToday = new Date(`${new Date().toISOString().slice(0, 10)}T23:00:00Z`);
    const digests = new ProjectDigests({
      store: embedded.store,
      notices: new ClientNotices({ store: embedded.store, jobs, logger }),
      jobs,
      schedule: parseDigestSchedule('09:00'),
      logger,
      clock: { now: () => lateToday },
    });
    expect(await digests.schedule()).toBe(0);
  });

  test("due at the scheduled hour in the client's time zone, sent once per day", async () => {
    const tokyo = await clientProject('tokyo', 'Asia/Tokyo');
    const utc = await clientProject('utc');
    // A client who told Hermes their time zone (kept on the identity, not in the brief).
    const kiri = await embedded.store.identities.create({ displayName: 'Kiri', handles: [] });
    await embedded.store.identities.setTimezone(kiri.id, 'Pacific/Kiritimati');
    const { project: line } = await embedded.store.projects.create({
      key: 'line',
      title: 'Project line',
      ownerId: kiri.id,
      status: 'active',
      brief: { title: 'Project line' },
      createdBy: kiri.id,
    });
    const threads: Record<string, string> = {
      tokyo: '500000000000000002',
      utc: '500000000000000003',
      line: '500000000000000004',
    };
    for (const [key, project] of [
      ['tokyo', tokyo],
      ['utc', utc],
      ['line', line],
    ] as const) {
      await embedded.store.projects.addThread(project.id, {
        surface: 'discord',
        channel: '300000000000000001',
        threadKey: threads[key]!,
      });
    }
    const digestsFor = (key: string) =>
      discord
        .posts(threads[key]!)
        .filter((call) => String(call.body?.content).startsWith(`Status digest for "Project ${key}"`));
    // 00:30 UTC is 09:30 in Tokyo (the brief's zone) and 14:30 on Kiritimati (the client's): those two are due.
    await jobs.enqueue(NOTIFY_JOBS.projectDigestSchedule, {});
    await until(() => Promise.resolve(digestsFor('tokyo').length === 1 && digestsFor('line').length === 1));
    expect(digestsFor('utc')).toHaveLength(0);
    await jobs.enqueue(NOTIFY_JOBS.projectDigestSchedule, {});
    now = new Date('2031-03-04T09:05:00Z');
    await jobs.enqueue(NOTIFY_JOBS.projectDigestSchedule, {});
    await until(() => Promise.resolve(digestsFor('utc').length === 1));
    await jobs.enqueue(NOTIFY_JOBS.projectDigestSchedule, {});
    await jobs.enqueue(NOTIFY_JOBS.clientNotifySweep, {});
    await until(async () => {
      const overview = await scheduler.queue();
      return overview.every((entry) => entry.running === 0 && entry.queued === 0) ? true : null;
    });
    expect(digestsFor('tokyo')).toHaveLength(1);
    expect(digestsFor('line')).toHaveLength(1);
    expect(digestsFor('utc')).toHaveLength(1);
    const text = String(digestsFor('tokyo')[0]?.body?.content);
    expect(text).toContain('scheduled update');
    expect(text).toContain('Spend: 0.00 EUR of 1,000.00 EUR (0%)');
    expect(text).toContain('Next steps:');
    expect(tokyo.id).not.toBe(utc.id);
  }, 60_000);
});
