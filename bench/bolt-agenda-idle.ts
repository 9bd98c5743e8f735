/**
 * The idle-memory baseline, run as its own process: a bare Bolt app (HTTP receiver on loopback) and a bare
 * Agenda worker on the bench's PostgreSQL, nothing else. Prints `ready` once both run, and stays idle until
 * SIGTERM. Usage: node dist/bench/bolt-agenda-idle.js <connection string>
 */
import { Agenda } from 'agenda';
import { PostgresBackend } from '@agendajs/postgres-backend';
import bolt from '@slack/bolt';

const connectionString = process.argv[2];
if (!connectionString) throw new Error('usage: bolt-agenda-idle <connection string>');

const app = new bolt.App({
  token: 'xoxb-bench',
  signingSecret: 'bench-signing-secret',
  // No Web API call at start (auth.test): the baseline process talks to nothing but its own port.
  tokenVerificationEnabled: false,
  botId: 'B0BENCH',
  botUserId: 'U0BENCH',
});
app.event('app_mention', async () => {});
const agenda = new Agenda({
  backend: new PostgresBackend({ connectionString, ensureSchema: false }),
  processEvery: '5 seconds',
});
agenda.define('bench.idle', () => Promise.resolve());
await app.start(0);
await agenda.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void Promise.all([agenda.stop(), app.stop()]).finally(() => process.exit(0));
});
