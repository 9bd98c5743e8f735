/**
 * The job-queue port's contract (ports/job-queue.ts): the cases every queue adapter passes on a real
 * store, as agenda's own backend suite does for its backends. An adapter joins by a factory in the
 * `factories` list of test/contract/job-queue.test.ts; `make()` gives a rig that opens queues (each as
 * one more process would, on its own connection to the same store) and counts what the store holds.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { OlympusError, hasCode } from '../../common/errors.js';
import type { JobAttempt, JobQueue, PayloadCheck, RunnableJob } from '../../ports/job-queue.js';
import { until } from '../support/until.js';

export interface QueueOptions {
  jobs: RunnableJob[];
  /** Whether the queue runs jobs, or only enqueues them. */
  work: boolean;
  name: string;
  /** Poll interval (Agenda's syntax, e.g. "1 second"). */
  processEvery: string;
  lockLifetimeMs: number;
  shutdownTimeoutMs: number;
}

/** A queue with its lifecycle, as the composition root holds it. */
export interface QueueUnderTest extends JobQueue {
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface JobQueueRig {
  /** A queue on its own connection to the rig's store (stopped by `close()` if a case did not). */
  open(options: QueueOptions): QueueUnderTest;
  /** How many jobs of this name the store holds, in any state. */
  storedJobs(name: string): Promise<number>;
  close(): Promise<void>;
}

export interface JobQueueFactory {
  /** Printed by the test: which adapters the contract ran against. */
  name: string;
  /** Whether a job enqueued by one process starts in a working one without waiting for a poll. */
  notifies: boolean;
  make(): Promise<JobQueueRig>;
}

interface Run {
  payload: unknown;
  attempt: JobAttempt;
  at: number;
}

let counter = 0;

/** A job name no earlier case used, so the cases share one store without seeing each other's jobs. */
function jobName(what: string): string {
  counter += 1;
  return `contract.${what}.${counter}`;
}

/** Accepts `{ n: <integer> }` only, the way a schema would. */
function numbered(payload: Record<string, unknown>): PayloadCheck {
  const keys = Object.keys(payload);
  return keys.length === 1 && Number.isInteger(payload.n)
    ? { ok: true, payload: { n: payload.n } }
    : { ok: false, problem: 'expected { n: integer }' };
}

function job(
  name: string,
  run: (payload: unknown, attempt: JobAttempt) => Promise<void>,
  extra: Partial<RunnableJob> = {},
): RunnableJob {
  return { name, validate: numbered, run, ...extra };
}

function recorder(runs: Run[], body: (run: Run) => Promise<void> = () => Promise.resolve()) {
  return (payload: unknown, attempt: JobAttempt) => {
    const run = { payload, attempt, at: Date.now() };
    runs.push(run);
    return body(run);
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function jobQueueCases(factory: JobQueueFactory): void {
  describe(`job queue contract: ${factory.name}`, () => {
    let rig: JobQueueRig;
    // Short lock lifetimes: Agenda leaves a lockLifetime/2 timer behind each run, which would hold Jest.
    const base = {
      name: 'contract',
      processEvery: '1 second',
      lockLifetimeMs: 4000,
      shutdownTimeoutMs: 5000,
    };

    beforeAll(async () => {
      rig = await factory.make();
    }, 90_000);

    afterAll(async () => {
      await rig?.close();
    });

    test('enqueue validates the payload against the job: unknown job and bad payload are VALIDATION, nothing stored', async () => {
      const name = jobName('strict');
      const runs: Run[] = [];
      const queue = rig.open({ ...base, jobs: [job(name, recorder(runs))], work: true });
      await queue.start();
      try {
        for (const bad of [{}, { n: 'seven' }, { n: 1, extra: true }]) {
          const refused = await queue.enqueue(name, bad).catch((error: unknown) => error);
          expect(hasCode(refused, 'VALIDATION')).toBe(true);
        }
        const unknown = jobName('unknown');
        expect(
          hasCode(await queue.enqueue(unknown, { n: 1 }).catch((error: unknown) => error), 'VALIDATION'),
        ).toBe(true);
        expect(await rig.storedJobs(name)).toBe(0);
        expect(await rig.storedJobs(unknown)).toBe(0);
        // The payload stored is the one validate returned; and the queue still takes a good one.
        await queue.enqueue(name, { n: 3 });
        expect(await rig.storedJobs(name)).toBe(1);
        await until(() => Promise.resolve(runs.length > 0), 15_000);
        expect(runs.map((run) => run.payload)).toEqual([{ n: 3 }]);
      } finally {
        await queue.stop();
      }
    });

    test('an enqueued job runs once, with its payload, as attempt 0 of the id enqueue returned', async () => {
      const name = jobName('once');
      const runs: Run[] = [];
      const queue = rig.open({ ...base, jobs: [job(name, recorder(runs))], work: true });
      await queue.start();
      try {
        const id = await queue.enqueue(name, { n: 7 });
        expect(typeof id).toBe('string');
        expect(id.length).toBeGreaterThan(0);
        await until(() => Promise.resolve(runs.length > 0), 15_000);
        // Time for a duplicate delivery to show up, if the queue made one.
        await sleep(2500);
        expect(runs).toHaveLength(1);
        expect(runs[0]!.payload).toEqual({ n: 7 });
        expect(runs[0]!.attempt).toMatchObject({ jobId: id, attempt: 0, worker: base.name });
      } finally {
        await queue.stop();
      }
    });

    test('a retryable failure is retried with growing backoff up to maxRetries, then stops', async () => {
      const name = jobName('retry');
      const runs: Run[] = [];
      const failing = job(
        name,
        recorder(runs, () =>
          Promise.reject(new OlympusError('SURFACE_UNAVAILABLE', 'down for now', { retryable: true })),
        ),
        { maxRetries: 2 },
      );
      const queue = rig.open({ ...base, jobs: [failing], work: true });
      await queue.start();
      try {
        await queue.enqueue(name, { n: 1 });
        await until(() => Promise.resolve(runs.length >= 3), 20_000);
        // Past the next backoff step (about 4 s): a fourth attempt would have started by now.
        await sleep(6000);
        expect(runs.map((run) => run.attempt.attempt)).toEqual([0, 1, 2]);
        const [first, second, third] = runs.map((run) => run.at) as [number, number, number];
        // Exponential from 1 s with 20% jitter: the first wait is at least 0.8 s, the second at least 1.6 s.
        expect(second - first).toBeGreaterThanOrEqual(700);
        expect(third - second).toBeGreaterThanOrEqual(1400);
        expect(new Set(runs.map((run) => run.attempt.jobId)).size).toBe(1);
      } finally {
        await queue.stop();
      }
    }, 45_000);

    test('a failure with retryable: false is not retried', async () => {
      const name = jobName('final');
      const runs: Run[] = [];
      const failing = job(
        name,
        recorder(runs, () =>
          Promise.reject(new OlympusError('VALIDATION', 'cannot ever work', { retryable: false })),
        ),
        { maxRetries: 3 },
      );
      const queue = rig.open({ ...base, jobs: [failing], work: true });
      await queue.start();
      try {
        await queue.enqueue(name, { n: 1 });
        await until(() => Promise.resolve(runs.length > 0), 15_000);
        // A retry would come after about 1 s (plus a poll).
        await sleep(3500);
        expect(runs).toHaveLength(1);
      } finally {
        await queue.stop();
      }
    });

    test('two workers on the same store run each job exactly once', async () => {
      const name = jobName('shared');
      const runs: Run[] = [];
      const counting = job(
        name,
        recorder(runs, () => sleep(10)),
        { concurrency: 5 },
      );
      const a = rig.open({ ...base, jobs: [counting], work: true, name: 'worker-a' });
      const b = rig.open({ ...base, jobs: [counting], work: true, name: 'worker-b' });
      await a.start();
      await b.start();
      try {
        for (let n = 0; n < 20; n += 1) await (n % 2 === 0 ? a : b).enqueue(name, { n });
        await until(() => Promise.resolve(runs.length >= 20), 30_000);
        await sleep(2000);
        const numbers = runs.map((run) => (run.payload as { n: number }).n).sort((x, y) => x - y);
        expect(numbers).toEqual(Array.from({ length: 20 }, (_, n) => n));
        expect(new Set(runs.map((run) => run.attempt.jobId)).size).toBe(20);
      } finally {
        await a.stop();
        await b.stop();
      }
    }, 45_000);

    test(
      factory.notifies
        ? 'a queue with work off enqueues, and a working queue starts the job at once (notified, not polled)'
        : 'a queue with work off enqueues, and a working queue runs the job',
      async () => {
        const name = jobName('handoff');
        const runs: Run[] = [];
        const runnable = job(name, recorder(runs));
        // With notifications the worker polls only every 30 s, so only a notification explains a quick start.
        const processEvery = factory.notifies ? '30 seconds' : '1 second';
        const worker = rig.open({ ...base, processEvery, jobs: [runnable], work: true, name: 'worker' });
        const enqueuer = rig.open({ ...base, processEvery, jobs: [runnable], work: false, name: 'bot' });
        await worker.start();
        await enqueuer.start();
        try {
          // A queue that does not work never runs a job itself.
          const other = jobName('not-run');
          const idle = rig.open({ ...base, jobs: [job(other, recorder(runs))], work: false, name: 'idle' });
          await idle.start();
          await idle.enqueue(other, { n: 0 });
          const sent = Date.now();
          const id = await enqueuer.enqueue(name, { n: 1 });
          await until(() => Promise.resolve(runs.some((run) => run.attempt.jobId === id)), 15_000);
          const started = runs.find((run) => run.attempt.jobId === id)!.at;
          if (factory.notifies) expect(started - sent).toBeLessThan(5000);
          await sleep(1500);
          expect(runs.map((run) => run.attempt.worker)).toEqual(['worker']);
          expect(await rig.storedJobs(other)).toBe(1);
          await idle.stop();
        } finally {
          await enqueuer.stop();
          await worker.stop();
        }
      },
      45_000,
    );

    test('stop() waits for running jobs to finish before it resolves, without aborting them', async () => {
      const name = jobName('drain');
      const runs: Run[] = [];
      let finished = false;
      const slow = job(
        name,
        recorder(runs, async () => {
          await sleep(800);
          finished = true;
        }),
      );
      const queue = rig.open({ ...base, jobs: [slow], work: true });
      await queue.start();
      await queue.enqueue(name, { n: 1 });
      await until(() => Promise.resolve(runs.length > 0), 15_000);
      await queue.stop();
      expect(finished).toBe(true);
      expect(runs[0]!.attempt.stopping.aborted).toBe(false);
    });

    test('a job outliving the shutdown timeout is aborted, its cleanup runs, and a peer takes it at once', async () => {
      const name = jobName('abandoned');
      const runs: Run[] = [];
      const cleanups: string[] = [];
      const stubborn = job(
        name,
        recorder(runs, (run) => {
          if (runs.length > 1) return Promise.resolve();
          run.attempt.onAbandon(() => {
            cleanups.push(run.attempt.jobId);
            return Promise.resolve();
          });
          // Ends only when told the worker is stopping.
          return new Promise<void>((_resolve, reject) => {
            run.attempt.stopping.addEventListener('abort', () => reject(new Error('stopped')));
          });
        }),
        // A 12 s lock: a peer taking the job within seconds proves it was unlocked, not left to expire.
        { lockLifetimeMs: 12_000, maxRetries: 2 },
      );
      const first = rig.open({
        ...base,
        jobs: [stubborn],
        work: true,
        name: 'first',
        shutdownTimeoutMs: 300,
      });
      await first.start();
      await first.enqueue(name, { n: 1 });
      await until(() => Promise.resolve(runs.length > 0), 15_000);
      await first.stop();
      expect(runs[0]!.attempt.stopping.aborted).toBe(true);
      expect(cleanups).toEqual([runs[0]!.attempt.jobId]);
      const stopped = Date.now();
      const second = rig.open({ ...base, jobs: [stubborn], work: true, name: 'second' });
      await second.start();
      try {
        await until(() => Promise.resolve(runs.length > 1), 15_000);
        expect(runs[1]!.attempt.jobId).toBe(runs[0]!.attempt.jobId);
        expect(runs[1]!.attempt.worker).toBe('second');
        expect(runs[1]!.at - stopped).toBeLessThan(6000);
      } finally {
        await second.stop();
      }
    }, 45_000);

    test('enqueue before start and after stop is SCHEDULER_UNAVAILABLE (retryable)', async () => {
      const name = jobName('closed');
      const queue = rig.open({ ...base, jobs: [job(name, () => Promise.resolve())], work: false });
      const early = await queue.enqueue(name, { n: 1 }).catch((error: unknown) => error);
      expect(early).toMatchObject({ code: 'SCHEDULER_UNAVAILABLE', retryable: true });
      await queue.start();
      await queue.enqueue(name, { n: 2 });
      await queue.stop();
      const late = await queue.enqueue(name, { n: 3 }).catch((error: unknown) => error);
      expect(late).toMatchObject({ code: 'SCHEDULER_UNAVAILABLE', retryable: true });
      expect(await rig.storedJobs(name)).toBe(1);
    });
  });
}
