/**
 * The job queue on Agenda, on the store's own database. Worker processes register the runnable jobs and
 * run them; every process can enqueue (Agenda is started either way, so its notifications go out and a
 * new job starts without waiting for a poll). Stopping drains running jobs within the shutdown timeout,
 * then aborts what is left, gives each abandoned attempt its cleanup (its fencing lease) and unlocks its
 * job, so no lock waits out its lifetime.
 */
import { hostname } from 'node:os';
import { Agenda, exponential, when, type Job } from 'agenda';
import { OlympusError, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { JobAttempt, JobQueue, RunnableJob } from '../../ports/job-queue.js';
import type { StoreConnection } from '../../ports/store.js';
import { agendaBackend } from './agenda-backend.js';

export interface JobQueueSettings {
  processEvery: string;
  maxConcurrency: number;
  lockLimit: number;
  lockLifetimeMs: number;
}

export interface AgendaJobQueueOptions {
  /** The store's database, where the jobs are kept. */
  connection: StoreConnection;
  logger: Logger;
  settings: JobQueueSettings;
  shutdownTimeoutMs: number;
  /** Every job that exists (used to validate what is enqueued; registered when `work` is on). */
  jobs: RunnableJob[];
  /** Whether this process runs jobs, or only enqueues them. */
  work: boolean;
  /** Worker name in locks and leases; defaults to host:pid. */
  name?: string;
  /** Where job durations and failures are recorded. */
  metrics?: JobMetrics;
}

/** The metric families the queue records into (see bot/metrics). */
export interface JobMetrics {
  jobDuration: { observe(labels: { job: string; result: string }, seconds: number): void };
  jobFailures: { inc(labels: { job: string }): void };
}

/** Jobs of one name by state, for status pages, metrics and tests. */
export type JobOverview = Awaited<ReturnType<Agenda['getJobsOverview']>>[number];

interface RunningAttempt {
  done: Promise<void>;
  cleanups: Array<() => Promise<unknown>>;
}

export class AgendaJobQueue implements JobQueue {
  private agenda: Agenda | null = null;
  private readonly stopping = new AbortController();
  private readonly running = new Map<string, RunningAttempt>();
  private readonly name: string;

  constructor(private readonly options: AgendaJobQueueOptions) {
    this.name = options.name ?? `${hostname()}:${process.pid}`;
  }

  isReady(): boolean {
    return this.agenda !== null;
  }

  /** The running Agenda instance, for the jobs dashboard (Agendash); null before start and after stop. */
  dashboardAgenda(): Agenda | null {
    return this.agenda;
  }

  async start(): Promise<void> {
    if (this.agenda) return;
    const { settings, logger, jobs, work } = this.options;
    const backend = await agendaBackend(this.options.connection);
    // A lost LISTEN connection (database restart, shutdown) is reported here and reconnected by the
    // channel itself; without a listener the event would crash the process.
    backend.notificationChannel?.on('error', (error: Error) => {
      const log = this.agenda ? logger.warn.bind(logger) : logger.debug.bind(logger);
      log('job notification channel error', { error: errorMessage(error) });
    });
    const agenda = new Agenda({
      backend,
      name: this.name,
      processEvery: settings.processEvery,
      maxConcurrency: settings.maxConcurrency,
      lockLimit: settings.lockLimit,
      defaultLockLifetime: settings.lockLifetimeMs,
    });
    agenda.on('error', (error: Error) => logger.error('scheduler error', { error: errorMessage(error) }));
    // A failure in another process arrives as a notification ({ jobName, error }), not as a job.
    agenda.on(
      'fail',
      (
        error: Error | string | undefined,
        job: { attrs?: { name: string }; jobName?: string } | undefined,
      ) => {
        logger.warn('job failed', {
          job: job?.attrs?.name ?? job?.jobName ?? 'unknown',
          error: typeof error === 'string' ? error : (error?.message ?? 'unknown'),
        });
      },
    );
    if (work) {
      for (const job of jobs) this.register(agenda, job);
    }
    await agenda.start();
    this.agenda = agenda;
    if (work) {
      for (const job of jobs) {
        if (job.every) await agenda.every(job.every, job.name, {}, { skipImmediate: true });
      }
    }
    logger.info('scheduler started', { worker: this.name, work, jobs: jobs.length });
  }

  /** Validates the payload against the job's schema and schedules it to run now. Returns the job id. */
  async enqueue(name: string, payload: Record<string, unknown> = {}): Promise<string> {
    const job = this.options.jobs.find((candidate) => candidate.name === name);
    if (!job) throw new OlympusError('VALIDATION', `unknown job ${name}`);
    const checked = job.validate(payload);
    if (!checked.ok) {
      throw new OlympusError('VALIDATION', `invalid payload for job ${name}: ${checked.problem}`);
    }
    const agenda = this.requireAgenda();
    const stored = await agenda.now(name, checked.payload);
    return String(stored.attrs._id);
  }

  /** Jobs by state, for status pages and tests. */
  async queue(): Promise<JobOverview[]> {
    return this.requireAgenda().getJobsOverview();
  }

  async stop(): Promise<void> {
    const agenda = this.agenda;
    if (!agenda) return;
    this.agenda = null;
    const { logger, shutdownTimeoutMs } = this.options;
    // Stop taking jobs; Agenda unlocks the jobs it had locked but not started.
    await agenda.stop(false);
    const finished = await settleWithin(this.runningAttempts(), shutdownTimeoutMs);
    if (!finished) {
      const left = [...this.running.entries()];
      logger.warn('jobs still running at shutdown: aborting and releasing them', {
        jobs: left.map(([id]) => id),
      });
      this.stopping.abort();
      await settleWithin(this.runningAttempts(), 1000);
      await agenda.db.unlockJobs(left.map(([id]) => id));
      for (const [, attempt] of left) {
        for (const cleanup of attempt.cleanups) {
          await cleanup().catch((error: unknown) => {
            logger.warn('could not release an abandoned job attempt', { error: errorMessage(error) });
          });
        }
      }
    }
    logger.info('scheduler stopped', { worker: this.name });
  }

  private register(agenda: Agenda, runnable: RunnableJob): void {
    const settings = this.options.settings;
    const lockLifetimeMs = runnable.lockLifetimeMs ?? settings.lockLifetimeMs;
    agenda.define(
      runnable.name,
      async (job: Job<unknown>) => {
        const id = String(job.attrs._id);
        const entry: RunningAttempt = { done: Promise.resolve(), cleanups: [] };
        const attempt: JobAttempt = {
          jobId: id,
          attempt: job.attrs.failCount ?? 0,
          worker: this.name,
          lockLifetimeMs,
          stopping: this.stopping.signal,
          touch: () => job.touch(),
          onAbandon: (cleanup) => {
            entry.cleanups.push(cleanup);
          },
        };
        const run = runnable.run(job.attrs.data ?? {}, attempt);
        entry.done = run.catch(() => undefined);
        this.running.set(id, entry);
        const started = performance.now();
        let result = 'failure';
        try {
          await run;
          result = 'success';
        } finally {
          this.running.delete(id);
          const metrics = this.options.metrics;
          metrics?.jobDuration.observe({ job: runnable.name, result }, (performance.now() - started) / 1000);
          if (result === 'failure') metrics?.jobFailures.inc({ job: runnable.name });
        }
      },
      {
        concurrency: runnable.concurrency,
        lockLifetime: lockLifetimeMs,
        backoff: when(
          (context) => (context.error as { retryable?: unknown }).retryable !== false,
          exponential({
            delay: 1000,
            factor: 2,
            maxDelay: 60_000,
            maxRetries: runnable.maxRetries ?? 3,
            jitter: 0.2,
          }),
        ),
      },
    );
  }

  private runningAttempts(): Promise<void>[] {
    return [...this.running.values()].map((attempt) => attempt.done);
  }

  private requireAgenda(): Agenda {
    if (!this.agenda) {
      throw new OlympusError('SCHEDULER_UNAVAILABLE', 'the job scheduler is not running', {
        retryable: true,
      });
    }
    return this.agenda;
  }
}

async function settleWithin(promises: Promise<unknown>[], timeoutMs: number): Promise<boolean> {
  if (promises.length === 0) return true;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const all = Promise.allSettled(promises).then(() => true as const);
  try {
    return await Promise.race([all, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
