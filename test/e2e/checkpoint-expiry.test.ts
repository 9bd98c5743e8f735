/**
 * Checkpoint expiry without Slack: the `checkpoint.remind` sweep counts the reminder and escalation steps
 * (nothing to post them on) and expires a checkpoint nobody decided, once, through the decision handler's
 * system path; its card and `checkpoint.decided` jobs are queued in Agenda so the waiting work is told.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createCheckpointReminders } from '../../handlers/checkpoints/checkpoint-reminders.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { jobCatalogue } from '../../orchestration/jobs/job-catalogue.js';
import { createJobQueue } from '../../bot/wiring/job-queue.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';

const logger = createSilentLogger();
const TIMES = { remindAfterMs: 60_000, escalateAfterMs: 120_000, expireAfterMs: 180_000 };

let db: EmbeddedStore;
let scheduler: AgendaJobQueue;

beforeAll(async () => {
  db = await startEmbeddedStore();
  // A scheduler that only queues (no workers), so the queued follow-up jobs can be counted.
  scheduler = createJobQueue({
    store: db.store,
    logger,
    settings: { processEvery: '1 minute', maxConcurrency: 1, lockLimit: 1, lockLifetimeMs: 60_000 },
    shutdownTimeoutMs: 1000,
    catalogue: jobCatalogue({ store: db.store, logger }),
    work: false,
  });
  await scheduler.start();
});

afterAll(async () => {
  await scheduler?.stop();
  await db?.teardown();
});

describe('checkpoint expiry without Slack', () => {
  test('reminder and escalation are counted, then the checkpoint expires once and its jobs are queued', async () => {
    const store = db.store;
    const owner = await store.identities.create({ displayName: 'Olga' });
    const { project } = await store.projects.create({
      key: 'expiry-demo',
      title: 'Expiry Demo',
      ownerId: owner.id,
      brief: { title: 'Expiry Demo' },
      createdBy: owner.id,
    });
    const checkpoint = await store.checkpoints.open({
      projectId: project.id,
      kind: 'question',
      requestedBy: 'apollo',
      request: { title: 'Which port?', summary: 'Which port should the API use?', details: {} },
    });
    let clock = checkpoint.createdAt.getTime();
    const reminders = createCheckpointReminders({
      store,
      times: TIMES,
      jobs: scheduler,
      logger,
      clock: { now: () => new Date(clock) },
    });

    expect(await reminders.sweep()).toBe(0);
    clock += 61_000;
    expect(await reminders.sweep()).toBe(1);
    clock += 60_000;
    expect(await reminders.sweep()).toBe(1);
    expect((await store.checkpoints.get(checkpoint.id))?.status).toBe('pending');
    clock += 60_000;
    const [first, second] = await Promise.all([reminders.sweep(), reminders.sweep()]);
    expect(first + second).toBe(1);
    const expired = await store.checkpoints.get(checkpoint.id);
    expect(expired?.status).toBe('expired');
    expect(expired?.remindersSent).toBe(3);
    expect(expired?.decision?.reason).toBe('no decision within 3 minutes');
    clock += 600_000;
    expect(await reminders.sweep()).toBe(0);

    const decided = (await store.audit.list({ subjectId: checkpoint.id })).filter(
      (event) => event.action === 'checkpoint.decided',
    );
    expect(decided).toHaveLength(1);
    expect(decided[0]!.data).toMatchObject({ outcome: 'expired', system: true });
    const queued = await scheduler.queue();
    const byName = new Map(queued.map((entry) => [entry.name, entry]));
    expect(byName.get('checkpoint.decided')?.total).toBe(1);
    expect(byName.get('checkpoint.card')?.total).toBe(1);
  });
});
