/**
 * Job dispatch latency: from enqueue to the handler starting, through Olympus's scheduler (payload
 * validation, fencing lease) against a bare Agenda job on the same embedded PostgreSQL, side by side.
 */
import { Agenda } from 'agenda';
import { PostgresBackend } from '@agendajs/postgres-backend';
import { z } from 'zod';
import { createSilentLogger } from '../common/logging/logger.js';
import { defineJob } from '../orchestration/jobs/job-definition.js';
import { JobScheduler } from '../orchestration/jobs/scheduler.js';
import type { Store } from '../storage/ports.js';
import { summarise, type Summary } from './stats.js';

const settings = { processEvery: '5 seconds', maxConcurrency: 20, lockLimit: 50, lockLifetimeMs: 60_000 };

async function measure(rounds: number, run: (round: number) => Promise<void>, started: Map<number, number>) {
  const samples: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const begin = performance.now();
    await run(round);
    while (!started.has(round)) await new Promise((resolve) => setImmediate(resolve));
    samples.push(started.get(round)! - begin);
  }
  return summarise(samples.slice(Math.min(5, rounds - 1))); // the first few warm the pool and the JIT
}

export async function benchJobDispatch(store: Store, connectionString: string, rounds: number) {
  const olympusStarted = new Map<number, number>();
  const scheduler = new JobScheduler({
    store,
    logger: createSilentLogger(),
    settings,
    shutdownTimeoutMs: 2000,
    work: true,
    catalogue: [
      defineJob({
        name: 'bench.olympus',
        description: 'marks its start',
        schema: z.object({ round: z.number() }),
        handler: (payload) => {
          olympusStarted.set(payload.round, performance.now());
          return Promise.resolve();
        },
      }),
    ],
  });
  await scheduler.start();
  const ours = await measure(
    rounds,
    (round) => scheduler.enqueue('bench.olympus', { round }).then(() => undefined),
    olympusStarted,
  );
  await scheduler.stop();

  const bareStarted = new Map<number, number>();
  const bare = new Agenda({
    backend: new PostgresBackend({ connectionString, ensureSchema: false }),
    ...settings,
  });
  bare.define('bench.bare', (job) => {
    bareStarted.set((job.attrs.data as { round: number }).round, performance.now());
    return Promise.resolve();
  });
  await bare.start();
  const baseline = await measure(
    rounds,
    (round) => bare.now('bench.bare', { round }).then(() => undefined),
    bareStarted,
  );
  await bare.stop();
  return { ours, baseline } satisfies Record<string, Summary>;
}
