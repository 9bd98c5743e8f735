/**
 * `npm run bench`: every figure side by side with its baseline in the same run, printed as a table and
 * written to bench/results/latest.json. Budgets are those of DESIGN.md §7.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../storage/embedded.js';
import { createPostgresStore } from '../storage/postgres/postgres-store.js';
import { requestSweep, storeProjects } from './bulk-projects.js';
import { benchCheckpointDecision } from './checkpoint-decision.js';
import { benchIdleMemory, benchLoadedMemory } from './idle-memory.js';
import { benchJobDispatch } from './job-dispatch.js';
import { benchSlackAck } from './slack-ack.js';
import { ms, printTable, type Row } from './stats.js';

const write = (line: string) => process.stdout.write(`${line}\n`);
const rounds = Number(process.env.BENCH_ROUNDS ?? 500);

async function main(): Promise<void> {
  const rows: Row[] = [];
  const results: Record<string, unknown> = { at: new Date().toISOString(), node: process.version, rounds };

  const dataDir = mkdtempSync(path.join(tmpdir(), 'olympus-bench-pg-'));
  chmodSync(dataDir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir });
  const store = createPostgresStore({ connectionString: pg.connectionString });
  try {
    await store.init();
    write(`task dispatch: ${rounds} rounds, Olympus and bare Agenda taking turns…`);
    const dispatch = await benchJobDispatch(store, pg.connectionString, rounds);
    results.jobDispatch = dispatch;
    for (const key of ['p50', 'p99'] as const) {
      rows.push({
        figure: `task dispatch ${key} (enqueue → handler)`,
        ours: ms(dispatch.ours[key]),
        baseline: `${ms(dispatch.baseline[key])} bare Agenda`,
        ratio: `${(dispatch.ours[key] / dispatch.baseline[key]).toFixed(2)}×`,
        budget: '≤ 1.2× bare Agenda',
      });
    }
    rows.push({
      figure: 'leased job dispatch p50 (+ fencing lease)',
      ours: ms(dispatch.leased.p50),
      baseline: `${ms(dispatch.baseline.p50)} bare Agenda`,
      ratio: `${(dispatch.leased.p50 / dispatch.baseline.p50).toFixed(2)}×`,
      budget: '-',
    });

    const seconds = Number(process.env.BENCH_SLACK_SECONDS ?? 5);
    write(
      `slack ack: 200 signed events/s for ${seconds} s, then 32 in flight for ${seconds} s, in one-second turns with a bare Bolt app…`,
    );
    const slack = await benchSlackAck(store, { rate: 200, seconds });
    results.slackAck = slack;
    for (const key of ['p50', 'p99'] as const) {
      rows.push({
        figure: `slack ack ${key} at 200 events/s`,
        ours: ms(slack.ours.steady[key]),
        baseline: `${ms(slack.baseline.steady[key])} bare Bolt`,
        ratio: `${(slack.ours.steady[key] / slack.baseline.steady[key]).toFixed(2)}×`,
        budget: key === 'p99' ? '< 10 ms' : '-',
      });
    }
    rows.push({
      figure: 'slack peak events/s (32 in flight)',
      ours: slack.ours.peakPerSecond.toFixed(0),
      baseline: `${slack.baseline.peakPerSecond.toFixed(0)} bare Bolt`,
      ratio: `${(slack.ours.peakPerSecond / slack.baseline.peakPerSecond).toFixed(2)}×`,
      budget: '≥ 0.5× bare Bolt',
    });

    const presses = Number(process.env.BENCH_PRESSES ?? 100);
    write(`button press → decision → card → task.resume: ${presses} presses, one at a time…`);
    const decision = await benchCheckpointDecision(store, presses);
    results.checkpointDecision = decision;
    if (decision.decidedJobs > 0)
      write(`  note: ${decision.decidedJobs} presses took the two-hop path through checkpoint.decided`);
    // Baseline: what the path cannot beat on this machine, from the same run: a bare Bolt ack plus one
    // bare Agenda job start (the decision enqueues task.resume itself).
    const floor = (key: 'p50' | 'p99') => slack.baseline.steady[key] + dispatch.baseline[key];
    for (const [key, budget] of [
      ['p50', '< 50 ms'],
      ['p99', '< 150 ms'],
    ] as const) {
      rows.push({
        figure: `press → task.resume started ${key}`,
        ours: ms(decision.toResume[key]),
        baseline: `${ms(floor(key))} Bolt ack + 1 Agenda start`,
        ratio: `${(decision.toResume[key] / floor(key)).toFixed(2)}×`,
        budget,
      });
    }
    rows.push({
      figure: 'press → card updated p50 / p99',
      ours: `${ms(decision.toCard.p50)} / ${ms(decision.toCard.p99)}`,
      baseline: `${ms(floor('p50'))} / ${ms(floor('p99'))}`,
      ratio: `${(decision.toCard.p50 / floor('p50')).toFixed(2)}×`,
      budget: '-',
    });

    write('RSS of olympus start on this PostgreSQL, idle and after 1,000 projects × 10 tasks…');
    const loaded = await benchLoadedMemory(
      pg.connectionString,
      async () => {
        await storeProjects(store, 1000, 10);
        await requestSweep(store);
      },
      5000,
    );
    results.loadedMemory = loaded;
    rows.push({
      figure: '`olympus start` RSS after 1,000 projects × 10 tasks',
      ours: `${loaded.loadedMb.toFixed(1)} MB`,
      baseline: `${loaded.idleMb.toFixed(1)} MB same process idle`,
      ratio: `${(loaded.loadedMb / loaded.idleMb).toFixed(2)}×`,
      budget: '< 150 MB',
    });
  } finally {
    await store.close();
    await pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  write('idle memory of olympus start…');
  const idle = await benchIdleMemory(3000);
  results.idleMemory = idle;
  rows.push({
    figure: 'idle `olympus start` RSS',
    ours: `${idle.rssMb.toFixed(1)} MB`,
    baseline: '≈73 MB Bolt+Agenda (DESIGN §7)',
    ratio: `${(idle.rssMb / 73).toFixed(2)}×`,
    budget: '< 150 MB',
  });

  write('');
  printTable(rows, write);
  const outDir = path.resolve('bench/results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'latest.json'), `${JSON.stringify(results, null, 2)}\n`);
  write(`\nwritten: ${path.join(outDir, 'latest.json')}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${String(error)}\n`);
    process.exit(1);
  },
);
