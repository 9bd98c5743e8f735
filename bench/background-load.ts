/**
 * The contended mode's job load, run as its own process: a bare Agenda worker on the bench's PostgreSQL
 * draining 2,000 jobs, refilled each time they are drained, until SIGTERM; it then prints how many ran.
 * Usage: node dist/bench/background-load.js <connection string>
 */
import { Agenda } from 'agenda';
import { PostgresBackend } from '@agendajs/postgres-backend';

const BATCH = 2000;
const connectionString = process.argv[2];
if (!connectionString) throw new Error('usage: background-load <connection string>');

const agenda = new Agenda({
  backend: new PostgresBackend({ connectionString, ensureSchema: false }),
  processEvery: 200,
  maxConcurrency: 20,
  defaultConcurrency: 20,
});
let ran = 0;
let stopping = false;
agenda.define('bench.background', (job) => {
  ran += 1;
  // A little work per job, as a real handler parses and shapes its payload.
  JSON.parse(JSON.stringify({ ...(job.attrs.data as object), at: Date.now() }));
  return Promise.resolve();
});

async function refill(): Promise<void> {
  while (!stopping) {
    const target = ran + BATCH;
    await Promise.all(Array.from({ length: BATCH }, (_, i) => agenda.now('bench.background', { i })));
    while (!stopping && ran < target) await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

process.on('SIGTERM', () => {
  stopping = true;
  void agenda.stop().finally(() => {
    process.stdout.write(`${JSON.stringify({ ran })}\n`);
    process.exit(0);
  });
});

await agenda.start();
process.stdout.write('ready\n');
void refill();
