import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { z } from 'zod';
import { hasCode } from '../../common/errors.js';
import { Writable } from 'node:stream';
import { createLogger, createSilentLogger } from '../../common/logging/logger.js';
import { SecretRedactor } from '../../common/logging/redactor.js';
import { jobCatalogue } from '../../orchestration/jobs/job-catalogue.js';
import { JOB_NAMES } from '../../ports/job-queue.js';
import { defineJob, type JobContext, type JobDefinition } from '../../orchestration/jobs/job-definition.js';
import { createJobQueue, type JobQueueOptions } from '../../bot/wiring/job-queue.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import type { Store } from '../../ports/store.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';

const logger = createSilentLogger();
const settings = { processEvery: '1 second', maxConcurrency: 10, lockLimit: 10, lockLifetimeMs: 600_000 };

async function until(predicate: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('job scheduler on PostgreSQL', () => {
  let db: EmbeddedStore;
  const schedulers: AgendaJobQueue[] = [];

  function scheduler(
    store: Store,
    catalogue: JobDefinition[],
    extra: Partial<JobQueueOptions> = {},
  ): AgendaJobQueue {
    const created = createJobQueue({
      store,
      logger,
      settings,
      shutdownTimeoutMs: 5000,
      catalogue,
      work: true,
      ...extra,
    });
    schedulers.push(created);
    return created;
  }

  beforeAll(async () => {
    db = await startEmbeddedStore();
  });
  afterAll(async () => {
    for (const each of schedulers) await each.stop();
    await db.teardown();
  });

  test('two workers share the jobs and run each exactly once', async () => {
    const runs: number[] = [];
    const job = defineJob({
      name: 'test.count',
      description: 'records its number',
      schema: z.object({ n: z.number().int() }),
      async handler(payload) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        runs.push(payload.n);
      },
    });
    const a = scheduler(db.store, [job], { name: 'worker-a' });
    const b = scheduler(db.openAnother(), [job], { name: 'worker-b' });
    await a.start();
    await b.start();
    for (let n = 0; n < 20; n += 1) await a.enqueue('test.count', { n });
    await until(() => runs.length >= 20);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect([...runs].sort((x, y) => x - y)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    await a.stop();
    await b.stop();
  });

  test('enqueue validates the job name and payload', async () => {
    const job = defineJob({
      name: 'test.strict',
      description: 'x',
      schema: z.object({ id: z.uuid() }),
      handler: async () => {},
    });
    const only = scheduler(db.store, [job], { work: false });
    await only.start();
    await expect(only.enqueue('test.strict', { id: 'nope' })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(only.enqueue('no.such.job', {})).rejects.toMatchObject({ code: 'VALIDATION' });
    await only.stop();
    await expect(only.enqueue('test.strict', { id: crypto.randomUUID() })).rejects.toMatchObject({
      code: 'SCHEDULER_UNAVAILABLE',
    });
  });

  test('an attempt whose lease was taken over is fenced off and cannot commit', async () => {
    let seen: JobContext | null = null;
    let outcome: unknown = null;
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const job = defineJob({
      name: 'test.fenced',
      description: 'waits, then tries to commit',
      schema: z.object({}),
      lockLifetimeMs: 300,
      maxRetries: 0,
      async handler(_payload, context) {
        seen = context;
        await gate;
        try {
          await context.fence.assertCurrent();
          outcome = 'committed';
        } catch (error) {
          outcome = error;
        }
      },
    });
    const worker = scheduler(db.store, [job]);
    await worker.start();
    await worker.enqueue('test.fenced', {});
    await until(() => seen !== null);
    const context = seen as unknown as JobContext;
    // While the attempt is alive its lease cannot be taken.
    expect(await db.store.leases.acquire(context.fence.key, 'intruder', 60_000)).toBeNull();
    // Simulate the lease running out (a stalled worker) and another attempt taking over.
    expect(await db.store.leases.release(context.fence.key, context.fence.token)).toBe(true);
    const takeover = await db.store.leases.acquire(context.fence.key, 'intruder', 60_000);
    expect(takeover?.token).toBeGreaterThan(context.fence.token);
    await until(() => context.signal.aborted);
    release();
    await until(() => outcome !== null);
    expect(hasCode(outcome, 'FENCED')).toBe(true);
    await worker.stop();
  });

  test('stopping releases a job that outlives the shutdown timeout, so another worker takes it at once', async () => {
    const starts: string[] = [];
    const slow = defineJob({
      name: 'test.slow',
      description: 'runs until aborted on the first worker',
      schema: z.object({}),
      maxRetries: 2,
      async handler(_payload, context) {
        starts.push(context.jobId);
        if (starts.length > 1) return;
        await new Promise<void>((_resolve, reject) => {
          context.signal.addEventListener('abort', () => reject(new Error('aborted by shutdown')));
        });
      },
    });
    const first = scheduler(db.store, [slow], { shutdownTimeoutMs: 200, name: 'first' });
    await first.start();
    await first.enqueue('test.slow', {});
    await until(() => starts.length === 1);
    await first.stop();
    // The lock lifetime is 10 minutes: a second run now proves the job was released, not left locked.
    const second = scheduler(db.openAnother(), [slow], { name: 'second' });
    await second.start();
    await until(() => starts.length === 2);
    await second.stop();
  });

  test('the catalogue verifies the audit chain', async () => {
    await db.store.audit.append({ actor: 'test', action: 'test.event', subjectType: 'test', subjectId: '1' });
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const captured = createLogger({ level: 'info', format: 'json', redactor: new SecretRedactor(), stream });
    const catalogue = jobCatalogue({ store: db.store, logger: captured });
    const worker = scheduler(db.store, catalogue, { logger: captured });
    await worker.start();
    // Recurring jobs are scheduled once per deployment.
    const overview = await worker.queue();
    expect(overview.map((entry) => entry.name)).toContain(JOB_NAMES.auditVerify);
    await worker.enqueue(JOB_NAMES.auditVerify, {});
    await until(() => lines.some((line) => line.includes('"message":"audit chain verified"')));
    const verified = JSON.parse(lines.find((line) => line.includes('audit chain verified'))!) as {
      events: number;
    };
    expect(verified.events).toBeGreaterThanOrEqual(1);
    await worker.stop();
  });
});
