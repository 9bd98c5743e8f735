/**
 * `npm run bench`: every figure side by side with its baseline in the same run, printed as a table and
 * written to bench/results/latest.json, twice: quiet, then contended (a fixed background load on this
 * machine: one core spinning, a bare Agenda worker draining jobs on the same PostgreSQL; contention.ts).
 * `npm run bench -- --quiet-only` skips the contended pass. Budgets are those of issue #14 / DESIGN.md §7.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../storage/embedded.js';
import { createPostgresStore } from '../storage/postgres/postgres-store.js';
import type { Store } from '../ports/store.js';
import { requestSweep, storeProjects } from './bulk-projects.js';
import { benchCheckpointDecision } from './checkpoint-decision.js';
import { startContention } from './contention.js';
import { benchBoltAgendaIdle, benchIdleMemory, benchLoadedMemory } from './idle-memory.js';
import { benchJobDispatch } from './job-dispatch.js';
import { benchSlackAck } from './slack-ack.js';
import { ms, printTable, summarise, type Row } from './stats.js';

const write = (line: string) => process.stdout.write(`${line}\n`);
const rounds = Number(process.env.BENCH_ROUNDS ?? 1000);
const seconds = Number(process.env.BENCH_SLACK_SECONDS ?? 8);
const presses = Number(process.env.BENCH_PRESSES ?? 100);
const quietOnly = process.argv.includes('--quiet-only');
const IDLE_STARTS = 3;

type Mode = 'quiet' | 'contended';
const ratio = (ours: number, baseline: number) => `${(ours / baseline).toFixed(2)}×`;

/** Dispatch, Slack ack and the press path in one mode: the table rows, the ack-path breakdown, the raw figures. */
async function measure(store: Store, connectionString: string, mode: Mode) {
  const rows: Row[] = [];
  const breakdown: Row[] = [];
  write(`[${mode}] task dispatch: ${rounds} rounds, Olympus and bare Agenda taking turns…`);
  const dispatch = await benchJobDispatch(store, connectionString, rounds);
  for (const key of ['p50', 'p99'] as const) {
    rows.push({
      figure: `task dispatch ${key} (enqueue → handler)`,
      ours: ms(dispatch.ours[key]),
      baseline: `${ms(dispatch.baseline[key])} bare Agenda`,
      ratio: ratio(dispatch.ours[key], dispatch.baseline[key]),
      budget: '≤ 1.05× bare Agenda',
    });
  }
  rows.push({
    figure: 'leased job dispatch p50 (+ fencing lease)',
    ours: ms(dispatch.leased.p50),
    baseline: `${ms(dispatch.baseline.p50)} bare Agenda`,
    ratio: ratio(dispatch.leased.p50, dispatch.baseline.p50),
    budget: '-',
  });

  write(
    `[${mode}] slack ack: 200 signed events/s for ${seconds} s, then 32 in flight for ${seconds} s, in one-second turns with a bare Bolt app (and, steady only, the durable reference)…`,
  );
  const slack = await benchSlackAck(connectionString, { rate: 200, seconds });
  const ackBudget = mode === 'quiet' ? '≤ 1.5× bare Bolt' : '≤ 3× bare Bolt';
  for (const key of ['p50', 'p99'] as const) {
    rows.push({
      figure: `slack ack ${key} at 200 events/s`,
      ours: ms(slack.ours.steady[key]),
      baseline: `${ms(slack.baseline.steady[key])} bare Bolt`,
      ratio: ratio(slack.ours.steady[key], slack.baseline.steady[key]),
      budget: key === 'p99' ? ackBudget : '-',
    });
  }
  // For reference: a bare Bolt app that stores each request in one INSERT before its ack (stored-bolt.ts),
  // the plainest receiver that keeps each event durably before its ack, measured in the same turns.
  rows.push({
    figure: 'slack ack p99, durable reference',
    ours: ms(slack.ours.steady.p99),
    baseline: `${ms(slack.stored.steady.p99)} Bolt + 1 INSERT (${ratio(slack.stored.steady.p99, slack.baseline.steady.p99)} bare Bolt)`,
    ratio: ratio(slack.ours.steady.p99, slack.stored.steady.p99),
    budget: '-',
  });
  rows.push({
    figure: 'slack peak events/s (32 in flight)',
    ours: slack.ours.peakPerSecond.toFixed(0),
    baseline: `${slack.baseline.peakPerSecond.toFixed(0)} bare Bolt`,
    ratio: ratio(slack.ours.peakPerSecond, slack.baseline.peakPerSecond),
    budget: mode === 'quiet' ? '≥ 0.8× bare Bolt' : '≥ 0.6× bare Bolt',
  });
  const b = slack.breakdown;
  breakdown.push(
    { figure: 'client-seen ack p99', ours: ms(slack.ours.steady.p99), baseline: '', ratio: '', budget: '' },
    {
      figure: 'receiver receive → ack p50 / p99',
      ours: `${ms(b.serverAck.p50)} / ${ms(b.serverAck.p99)}`,
      baseline: '',
      ratio: '',
      budget: '',
    },
    {
      figure: 'inbox statement p50 / p99 (pool wait incl.)',
      ours: `${ms(b.inboxWrite.p50)} / ${ms(b.inboxWrite.p99)}`,
      baseline: '',
      ratio: '',
      budget: '',
    },
    {
      figure: 'events per inbox statement mean / max',
      ours: `${b.groupMean.toFixed(2)} / ${b.groupMax}`,
      baseline: '',
      ratio: '',
      budget: '',
    },
    { figure: 'event-loop delay p99', ours: ms(b.eventLoopDelayP99), baseline: '', ratio: '', budget: '' },
    {
      figure: 'GC pauses total / longest',
      ours: `${ms(b.gcPauseTotal)} / ${ms(b.gcPauseMax)}`,
      baseline: '',
      ratio: '',
      budget: '',
    },
  );

  write(`[${mode}] button press → decision → card → task.resume: ${presses} presses, one at a time…`);
  const decision = await benchCheckpointDecision(store, connectionString, presses);
  if (decision.decidedJobs > 0)
    write(`  note: ${decision.decidedJobs} presses took the two-hop path through checkpoint.decided`);
  // The floor, sampled in turn with the presses: a bare Bolt ack plus two bare Agenda job starts (the
  // decision's job and task.resume, as the budget counts them).
  const floor = (key: 'p50' | 'p99') => decision.floor[key];
  for (const [key, budget] of [
    ['p50', '≤ 1.3× floor'],
    ['p99', '-'],
  ] as const) {
    rows.push({
      figure: `press → task.resume started ${key}`,
      ours: ms(decision.toResume[key]),
      baseline: `${ms(floor(key))} Bolt ack + 2 Agenda starts, in turn`,
      ratio: ratio(decision.toResume[key], floor(key)),
      budget,
    });
  }
  // For reference, the floor as earlier runs composed it from this run's other sections (Bolt's steady
  // ack at 200 events/s in its own process, two quiet dispatches), which were measured at other times.
  const composed = slack.baseline.steady.p50 + 2 * dispatch.baseline.p50;
  rows.push({
    figure: 'press → task.resume p50, composed floor',
    ours: ms(decision.toResume.p50),
    baseline: `${ms(composed)} from the ack and dispatch rows`,
    ratio: ratio(decision.toResume.p50, composed),
    budget: '-',
  });
  rows.push({
    figure: 'press → card updated p50 / p99',
    ours: `${ms(decision.toCard.p50)} / ${ms(decision.toCard.p99)}`,
    baseline: `${ms(floor('p50'))} / ${ms(floor('p99'))}`,
    ratio: ratio(decision.toCard.p50, floor('p50')),
    budget: '-',
  });
  return {
    rows,
    breakdown,
    results: { jobDispatch: dispatch, slackAck: slack, checkpointDecision: decision },
  };
}

async function main(): Promise<void> {
  const results: Record<string, unknown> = { at: new Date().toISOString(), node: process.version, rounds };
  const tables: { title: string; rows: Row[] }[] = [];
  const memoryRows: Row[] = [];

  const dataDir = mkdtempSync(path.join(tmpdir(), 'olympus-bench-pg-'));
  chmodSync(dataDir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir });
  const store = createPostgresStore({ connectionString: pg.connectionString });
  try {
    await store.init();
    const quietLoad = loadavg()[0]!;
    const quiet = await measure(store, pg.connectionString, 'quiet');
    results.quiet = { loadAverageAtStart: quietLoad, ...quiet.results };
    tables.push({ title: `quiet (load average ${quietLoad.toFixed(2)} at start)`, rows: quiet.rows });
    tables.push({ title: 'quiet: Slack ack path breakdown (Olympus steady blocks)', rows: quiet.breakdown });

    if (!quietOnly) {
      write(
        '[contended] starting the background load: one core spinning, a bare Agenda worker draining 2,000 jobs at a time…',
      );
      const contention = await startContention(pg.connectionString);
      const contended = await measure(store, pg.connectionString, 'contended').catch(
        async (error: unknown) => {
          await contention.stop();
          throw error;
        },
      );
      const load = await contention.stop();
      results.contended = {
        loadAverage: load.loadAverage,
        backgroundJobsRun: load.jobsRun,
        ...contended.results,
      };
      tables.push({
        title: `contended (load average ${load.loadAverage.toFixed(2)}; background worker ran ${load.jobsRun} jobs)`,
        rows: contended.rows,
      });
      tables.push({
        title: 'contended: Slack ack path breakdown (Olympus steady blocks)',
        rows: contended.breakdown,
      });
    }

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
    memoryRows.push({
      figure: '`olympus start` RSS after 1,000 projects × 10 tasks',
      ours: `${loaded.loadedMb.toFixed(1)} MB`,
      baseline: `${loaded.idleMb.toFixed(1)} MB same process idle`,
      ratio: ratio(loaded.loadedMb, loaded.idleMb),
      budget: '< 150 MB',
    });
    // One reading of a process's RSS swings by several MB from start to start (when its collections
    // happened), so each side is started IDLE_STARTS times, taking turns, and the median is compared.
    write(
      `idle memory: olympus start and a bare Bolt + Agenda process, ${IDLE_STARTS} starts each in turns…`,
    );
    const idleReadings: number[] = [];
    const bareReadings: number[] = [];
    for (let start = 0; start < IDLE_STARTS; start += 1) {
      idleReadings.push((await benchIdleMemory(3000)).rssMb);
      bareReadings.push((await benchBoltAgendaIdle(pg.connectionString, 3000)).rssMb);
    }
    const idle = summarise(idleReadings).p50;
    const bare = summarise(bareReadings).p50;
    results.idleMemory = { rssMb: idle, boltAgendaRssMb: bare, idleReadings, bareReadings };
    const readings = (values: number[]) => values.map((value) => value.toFixed(1)).join(' / ');
    memoryRows.push({
      figure: `idle \`olympus start\` RSS (median of ${IDLE_STARTS} starts)`,
      ours: `${idle.toFixed(1)} MB`,
      baseline: `${bare.toFixed(1)} MB bare Bolt + Agenda`,
      ratio: ratio(idle, bare),
      budget: '≤ 1.3× bare Bolt + Agenda',
    });
    memoryRows.push({
      figure: 'idle RSS readings, Olympus | bare',
      ours: `${readings(idleReadings)} MB`,
      baseline: `${readings(bareReadings)} MB`,
      ratio: '',
      budget: '',
    });
    tables.push({ title: 'memory (quiet)', rows: memoryRows });
  } finally {
    await store.close();
    await pg.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }

  for (const table of tables) {
    write('');
    write(`## ${table.title}`);
    printTable(table.rows, write);
  }
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
