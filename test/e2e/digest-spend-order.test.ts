/**
 * Digests on real peers (embedded PostgreSQL, real Agenda jobs, real discord.js against the fake Discord):
 * - spend is shown from the ledger to the cent in the digest, the console's project detail and Hermes's
 *   status answer ("0.16 USD of 300.00 USD"), never rounded to 0 while the ledger holds money;
 * - digests arrive in the order events happened: a notice's delivery first delivers what was recorded on
 *   its thread before it, whichever job runs first; a "task done" digest whose job runs after the project
 *   completed is dropped, so nothing follows the "project complete" digest.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { renderStatus } from '../../agents/hermes/status-report.js';
import { createDiscordSurface, type DiscordSurface } from '../../bot/discord/discord-surface.js';
import { formatCents, formatSpend } from '../../common/money.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { loadProjectState } from '../../handlers/intake/project-actions.js';
import { NoticeDelivery } from '../../handlers/notify/deliver-notices.js';
import { NotifierRegistry } from '../../handlers/notify/notifier-registry.js';
import { projectViews } from '../../handlers/ops/project-views.js';
import { surfaceUseCases } from '../../handlers/surface-use-cases.js';
import { createJobQueue } from '../../bot/wiring/job-queue.js';
import { DeferredJobQueue } from '../../orchestration/deferred-job-queue.js';
import { parseDigestSchedule } from '../../orchestration/digest/digest-schedule.js';
import { ProjectDigests } from '../../orchestration/digest/project-digests.js';
import { requestDigest } from '../../orchestration/digest/request-digest.js';
import { notifyJobs } from '../../orchestration/jobs/notify-jobs.js';
import { ClientNotices } from '../../orchestration/notices/client-notices.js';
import { recordNotice } from '../../orchestration/notices/record-notice.js';
import { NOTIFY_JOBS } from '../../ports/job-queue.js';
import type { Project } from '../../ports/store.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
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
let discord: FakeDiscord;
let embedded: EmbeddedStore;
let surface: DiscordSurface;
let scheduler: AgendaJobQueue;
const jobs = new DeferredJobQueue();
let threadNumber = 0;

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
  const delivery = new NoticeDelivery({ store: embedded.store, notifiers, logger, holder: 'order-test' });
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
  await surface?.stop();
  await discord?.close();
  await embedded?.teardown();
});

/** A project of 300 USD with its own Discord thread and the client's conversation. */
async function clientProject(key: string): Promise<{ project: Project; thread: string }> {
  const store = embedded.store;
  const identity = await store.identities.ensureByHandle(
    { surface: 'discord', externalId: HUMAN_USER.id },
    { displayName: 'Alice' },
  );
  const conversation = await store.conversations.ensure('discord', DM_CHANNEL, identity.id);
  const { project } = await store.projects.create({
    key,
    title: `Project ${key}`,
    ownerId: identity.id,
    budget: { amount: 300, currency: 'USD' },
    status: 'active',
    brief: { title: `Project ${key}` },
    createdBy: identity.id,
  });
  await store.conversations.update(conversation.id, conversation.version, { projectId: project.id });
  threadNumber += 1;
  const thread = `5000000000000001${String(threadNumber).padStart(2, '0')}`;
  const withThread = await store.projects.addThread(project.id, {
    surface: 'discord',
    channel: '300000000000000001',
    threadKey: thread,
  });
  return { project: withThread!, thread };
}

const texts = (thread: string): string[] => discord.posts(thread).map((call) => String(call.body?.content));

async function idle(): Promise<void> {
  await until(async () => {
    const overview = await scheduler.queue();
    return overview.every((entry) => entry.running === 0 && entry.queued === 0) ? true : null;
  });
}

describe('spend to the cent', () => {
  test('the digest, the console and Hermes show 0.16 USD of 300.00 USD from the ledger', async () => {
    const store = embedded.store;
    const { project, thread } = await clientProject('spend-cents');
    for (const cost of [0.07, 0.09]) {
      await store.ledger.append({
        kind: 'llm',
        projectId: project.id,
        provider: 'openai',
        model: 'gpt-test',
        inputTokens: 1000,
        outputTokens: 200,
        cost,
        currency: 'USD',
        latencyMs: 12,
      });
    }
    // The project row's own counter is still 0: every view reads the ledger.
    expect((await store.projects.get(project.id))?.spent).toBe(0);

    await requestDigest({ jobs }, project.id, 'checkpoint_waiting', 'c1');
    await until(() => Promise.resolve(texts(thread).some((text) => text.startsWith('Status digest'))));
    const digest = texts(thread).find((text) => text.startsWith('Status digest'))!;
    expect(digest).toContain('Spend: 0.16 USD of 300.00 USD (<1%)');

    const detail = await projectViews(store).detail(project, { audit: false });
    expect(detail.spend).toMatchObject({ spent: 0.16, text: '0.16 USD of 300.00 USD (<1%)' });

    const status = renderStatus((await loadProjectState(store, project.id))!);
    expect(status).toContain('Budget 300.00 USD, spent so far 0.16 USD');

    // Never rounded to nothing while there is money.
    expect(formatCents(0.004, 'USD')).toBe('<0.01 USD');
    expect(formatSpend(0.004, { amount: 2026, currency: 'USD' })).toBe('<0.01 USD of 2,026.00 USD (<1%)');
    expect(formatSpend(0, { amount: 300, currency: 'USD' })).toBe('0.00 USD of 300.00 USD (0%)');
    expect(formatSpend(150.5, { amount: 300, currency: 'USD' })).toBe('150.50 USD of 300.00 USD (50%)');
  }, 60_000);
});

describe('digests in the order events happened', () => {
  test('a later notice whose job runs first still goes out after the earlier ones on its thread', async () => {
    const store = embedded.store;
    const { project, thread } = await clientProject('order-delivery');
    const said = ['first: a task is done', 'second: another task is done', 'third: the project is complete'];
    const keys: string[] = [];
    for (const [index, text] of said.entries())
      keys.push(
        ...(await recordNotice(store, { effectId: `digest:order:${index}`, kind: 'digest', text, project })),
      );
    expect(keys).toHaveLength(3);
    // The jobs run last first, as concurrent workers may.
    for (const key of [...keys].reverse()) await scheduler.enqueue(NOTIFY_JOBS.clientNotify, { key });
    await until(() => Promise.resolve(texts(thread).length === 3));
    await idle();
    expect(texts(thread)).toEqual(said);
  }, 60_000);

  test('the "task done" digest never arrives after "project complete", even when its job runs later', async () => {
    const store = embedded.store;
    const { project, thread } = await clientProject('order-digests');
    // Task A's digest runs while the project is active.
    await requestDigest({ jobs }, project.id, 'task_done', 'task-a');
    await until(() => Promise.resolve(texts(thread).length === 1));
    // The last task is done and the project completes; its digest and the completion digest are
    // requested together, and the completion's job is taken first.
    await store.projects.setStatus(project.id, ['active'], 'completed');
    await requestDigest({ jobs }, project.id, 'project_complete');
    await requestDigest({ jobs }, project.id, 'task_done', 'task-b');
    await requestDigest({ jobs }, project.id, 'task_done', 'task-a');
    await until(() =>
      Promise.resolve(texts(thread).some((text) => text.includes('the project is complete'))),
    );
    await idle();
    const posted = texts(thread);
    const headlines = posted.map((text) => /: (a task is done|the project is complete)\./.exec(text)?.[1]);
    expect(headlines).toEqual(['a task is done', 'the project is complete']);
    expect(posted.at(-1)).toContain('the project is complete');
    process.stdout.write(`digest order on the thread: ${headlines.join(' → ')}\n`);
  }, 60_000);
});
