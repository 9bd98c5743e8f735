/**
 * The job scheduler: Agenda on the store's own database. Worker processes register the job catalogue and
 * run jobs; every process can enqueue (Agenda is started either way, so its notifications go out and a new
 * job starts without waiting for a poll). Stopping drains running jobs within the shutdown timeout, then
 * aborts and releases what is left, so no lock waits out its lifetime.
 */
import { hostname } from 'node:os';
import { Agenda, exponential, when, type Job } from 'agenda';
import { OlympusError, errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { Store } from '../../ports/store.js';
import type { JobDefinition } from './job-definition.js';
import { runJobAttempt } from './job-runner.js';

export interface SchedulerSettings {
  processEvery: string;
  maxConcurrency: number;
  lockLimit: number;
  lockLifetimeMs: number;
}

export interface SchedulerOptions {
  store: Store;
  logger: Logger;
  settings: SchedulerSettings;
  shutdownTimeoutMs: number;
  /** Every job that exists (used to validate what is enqueued). */
  catalogue: JobDefinition[];
  /** Whether this process runs jobs, or only enqueues them. */
  work: boolean;
  /** Worker name in locks and leases; defaults to host:pid. */
  name?: string;
  /** Where job durations and failures are recorded. */
  metrics?: JobMetrics;
}

/** The metric families the scheduler records into (see bot/metrics). */
export interface JobMetrics {
  jobDuration: { observe(labels: { job: string; result: string }, seconds: number): void };
  jobFailures: { inc(labels: { job: string }): void };
}

export class JobScheduler {
  private agenda: Agenda | null = null;
  private readonly stopping = new AbortController();
  private readonly running = new Map<
    string,
    { done: Promise<void>; lease?: { key: string; token: number } }
  >();
  private readonly name: string;

  constructor(private readonly options: SchedulerOptions) {
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
    const { settings, store, logger } = this.options;
    const backend = store.jobBackend({ name: this.name });
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
    if (this.options.work) {
      for (const definition of this.options.catalogue) this.register(agenda, definition);
    }
    await agenda.start();
    this.agenda = agenda;
    if (this.options.work) {
      for (const definition of this.options.catalogue) {
        if (definition.every)
          await agenda.every(definition.every, definition.name, {}, { skipImmediate: true });
      }
    }
    logger.info('scheduler started', {
      worker: this.name,
      work: this.options.work,
      jobs: this.options.catalogue.length,
    });
  }

  /** Validates the payload against the job's schema and schedules it to run now. Returns the job id. */
  async enqueue(name: string, payload: Record<string, unknown> = {}): Promise<string> {
    const definition = this.options.catalogue.find((candidate) => candidate.name === name);
    if (!definition) throw new OlympusError('VALIDATION', `unknown job ${name}`);
    const parsed = definition.schema.safeParse(payload);
    if (!parsed.success) {
      throw new OlympusError('VALIDATION', `invalid payload for job ${name}: ${parsed.error.message}`);
    }
    const agenda = this.requireAgenda();
    const job = await agenda.now(name, parsed.data as Record<string, unknown>);
    return String(job.attrs._id);
  }

  /** Jobs by state, for status pages and tests. */
  async queue(): Promise<Awaited<ReturnType<Agenda['getJobsOverview']>>> {
    return this.requireAgenda().getJobsOverview();
  }

  async stop(): Promise<void> {
    const agenda = this.agenda;
    if (!agenda) return;
    this.agenda = null;
    const { logger, shutdownTimeoutMs, store } = this.options;
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
        if (attempt.lease) await store.leases.release(attempt.lease.key, attempt.lease.token);
      }
    }
    logger.info('scheduler stopped', { worker: this.name });
  }

  private register(agenda: Agenda, definition: JobDefinition): void {
    const settings = this.options.settings;
    agenda.define(
      definition.name,
      async (job: Job<unknown>) => {
        const id = String(job.attrs._id);
        const entry: { done: Promise<void>; lease?: { key: string; token: number } } = {
          done: Promise.resolve(),
        };
        const attempt = runJobAttempt(definition, job, {
          leases: this.options.store.leases,
          logger: this.options.logger,
          holder: this.name,
          lockLifetimeMs: settings.lockLifetimeMs,
          stopping: this.stopping.signal,
          onLease: (lease) => {
            entry.lease = lease;
          },
        });
        entry.done = attempt.catch(() => undefined);
        this.running.set(id, entry);
        const started = performance.now();
        let result = 'failure';
        try {
          await attempt;
          result = 'success';
        } finally {
          this.running.delete(id);
          const metrics = this.options.metrics;
          metrics?.jobDuration.observe(
            { job: definition.name, result },
            (performance.now() - started) / 1000,
          );
          if (result === 'failure') metrics?.jobFailures.inc({ job: definition.name });
        }
      },
      {
        concurrency: definition.concurrency,
        lockLifetime: definition.lockLifetimeMs ?? settings.lockLifetimeMs,
        backoff: when(
          (context) => (context.error as { retryable?: unknown }).retryable !== false,
          exponential({
            delay: 1000,
            factor: 2,
            maxDelay: 60_000,
            maxRetries: definition.maxRetries ?? 3,
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
