/**
 * A bare Agenda on the bench's PostgreSQL, the baseline of every job figure: one job name whose handler
 * only notes when it started, on the same backend, table and settings Olympus's scheduler uses, without
 * Olympus's payload schemas, fencing or metrics.
 */
import { Agenda } from 'agenda';
import { PostgresBackend } from '@agendajs/postgres-backend';

export const BENCH_QUEUE_SETTINGS = {
  processEvery: '5 seconds',
  maxConcurrency: 20,
  lockLimit: 50,
  lockLifetimeMs: 60_000,
};

export interface BareAgenda {
  /** Enqueues the job for `round` to run now; resolves once it is stored. */
  enqueue(round: number): Promise<void>;
  /** When each round's handler started (performance.now()). */
  started: Map<number, number>;
  stop(): Promise<void>;
}

export async function startBareAgenda(connectionString: string, jobName: string): Promise<BareAgenda> {
  const started = new Map<number, number>();
  const { processEvery, maxConcurrency, lockLimit, lockLifetimeMs } = BENCH_QUEUE_SETTINGS;
  const agenda = new Agenda({
    backend: new PostgresBackend({ connectionString, ensureSchema: false }),
    processEvery,
    maxConcurrency,
    lockLimit,
    defaultLockLifetime: lockLifetimeMs,
  });
  agenda.define(jobName, (job) => {
    started.set((job.attrs.data as { round: number }).round, performance.now());
    return Promise.resolve();
  });
  await agenda.start();
  return {
    enqueue: (round) => agenda.now(jobName, { round }).then(() => undefined),
    started,
    stop: () => agenda.stop(),
  };
}
