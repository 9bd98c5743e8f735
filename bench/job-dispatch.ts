/**
 * Job dispatch latency: from enqueue to the handler starting, through Olympus's scheduler against a bare
 * Agenda job on the same embedded PostgreSQL, side by side. Two Olympus jobs: a task job (payload
 * validation; the handler fences itself with the task claim, as `task.run.<role>` does) and a leased job
 * (plus a fencing lease round trip before the handler, as every other job).
 */
import { z } from 'zod';
import { createSilentLogger } from '../common/logging/logger.js';
import { defineJob } from '../orchestration/jobs/job-definition.js';
import { createJobQueue } from '../bot/wiring/job-queue.js';
import type { Store } from '../ports/store.js';
import { BENCH_QUEUE_SETTINGS, startBareAgenda } from './bare-agenda.js';
import { summarise, type Summary } from './stats.js';

/**
 * Sequential rounds, the kinds taking turns (the order rotated every round), so load from elsewhere on
 * the machine weighs on every kind alike. Each sample is enqueue → handler start.
 */
async function measureTurns(
  rounds: number,
  kinds: Record<string, { run: (round: number) => Promise<void>; started: Map<number, number> }>,
): Promise<Record<string, Summary>> {
  const names = Object.keys(kinds);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round += 1) {
    const order = names.map((_, i) => names[(i + round) % names.length]!);
    for (const name of order) {
      const kind = kinds[name]!;
      const begin = performance.now();
      await kind.run(round);
      while (!kind.started.has(round)) await new Promise((resolve) => setImmediate(resolve));
      samples[name]!.push(kind.started.get(round)! - begin);
    }
  }
  // The first few rounds warm the pools and the JIT.
  return Object.fromEntries(
    names.map((name) => [name, summarise(samples[name]!.slice(Math.min(5, rounds - 1)))]),
  );
}

export async function benchJobDispatch(store: Store, connectionString: string, rounds: number) {
  const olympusStarted = new Map<number, number>();
  const leasedStarted = new Map<number, number>();
  const scheduler = createJobQueue({
    store,
    logger: createSilentLogger(),
    settings: BENCH_QUEUE_SETTINGS,
    shutdownTimeoutMs: 2000,
    work: true,
    catalogue: [
      defineJob({
        name: 'bench.task',
        description: 'marks its start; fenced by its handler, like task.run.<role>',
        schema: z.object({ round: z.number() }),
        fencing: 'handler',
        handler: (payload) => {
          olympusStarted.set(payload.round, performance.now());
          return Promise.resolve();
        },
      }),
      defineJob({
        name: 'bench.leased',
        description: 'marks its start; takes a job lease first',
        schema: z.object({ round: z.number() }),
        handler: (payload) => {
          leasedStarted.set(payload.round, performance.now());
          return Promise.resolve();
        },
      }),
    ],
  });
  await scheduler.start();
  const bare = await startBareAgenda(connectionString, 'bench.bare');
  const result = await measureTurns(rounds, {
    ours: {
      run: (round) => scheduler.enqueue('bench.task', { round }).then(() => undefined),
      started: olympusStarted,
    },
    leased: {
      run: (round) => scheduler.enqueue('bench.leased', { round }).then(() => undefined),
      started: leasedStarted,
    },
    baseline: {
      run: (round) => bare.enqueue(round),
      started: bare.started,
    },
  });
  await scheduler.stop();
  await bare.stop();
  const { ours, leased, baseline } = result as Record<'ours' | 'leased' | 'baseline', Summary>;
  return { ours, leased, baseline } satisfies Record<string, Summary>;
}
