/**
 * The invariants every reliability test checks after its fault, in one place:
 * - every injected input has exactly one inbox row, and it reached a final state;
 * - every effect happened exactly once, counted at the peer (the recording Slack API, the mailbox);
 * - the audit chain verifies;
 * - no canary secret is in the captured logs or in any table of the database.
 * It returns the counts it checked and prints them, so a run shows what was verified.
 */
import { PassThrough } from 'node:stream';
import { expect } from '@jest/globals';
import pg from 'pg';
import { createLogger, type Logger } from '../../common/logging/logger.js';
import { SecretRedactor } from '../../common/logging/redactor.js';
import type { InboxStatus, Store } from '../../ports/store.js';
import type { FakeSlackApi, RecordedCall } from '../support/fake-slack-api.js';

export interface EffectAtPeer {
  effectId: string;
  /** How many times the peer holds this effect (messages stored, mails delivered). */
  atPeer: number;
}

export interface InvariantCheck {
  /** Names the scenario in the printed counts. */
  scenario: string;
  store: Store;
  /** Connection string of the same database, to count rows and scan every table for the canary. */
  connectionString: string;
  /** Inbox keys of every injected input. */
  inputs: string[];
  /** States that count as final for these inputs; default `done`. */
  finalStatuses?: InboxStatus[];
  effects: EffectAtPeer[];
  /** Secret values that must appear in no log line and no table. */
  canaries: string[];
  /** Every log line captured during the scenario. */
  logs: string[];
}

export interface CheckedCounts {
  inputs: number;
  inboxRows: number;
  finalInputs: number;
  effects: number;
  effectsAtPeer: number;
  auditEvents: number;
  logLinesScanned: number;
  tablesScanned: number;
  rowsScanned: number;
}

export async function checkInvariants(check: InvariantCheck): Promise<CheckedCounts> {
  const finals = check.finalStatuses ?? ['done'];
  const client = new pg.Client({ connectionString: check.connectionString });
  await client.connect();
  try {
    const rows = await client.query<{ key: string; n: string; status: string }>(
      'SELECT key, count(*) OVER (PARTITION BY key) AS n, status FROM inbox WHERE key = ANY($1)',
      [check.inputs],
    );
    const byKey = new Map(rows.rows.map((row) => [row.key, row]));
    const missing = check.inputs.filter((key) => !byKey.has(key));
    expect(missing).toEqual([]);
    expect(rows.rows.filter((row) => row.n !== '1')).toEqual([]);
    const notFinal = rows.rows.filter((row) => !finals.includes(row.status as InboxStatus));
    expect(notFinal.map((row) => `${row.key}: ${row.status}`)).toEqual([]);

    const wrong = check.effects.filter((effect) => effect.atPeer !== 1);
    expect(wrong).toEqual([]);

    const audit = await check.store.audit.verify();
    expect(audit).toMatchObject({ ok: true });

    for (const canary of check.canaries) {
      expect(check.logs.filter((line) => line.includes(canary))).toEqual([]);
    }
    const scan = await scanTables(client, check.canaries);
    expect(scan.hits).toEqual([]);

    const counts: CheckedCounts = {
      inputs: check.inputs.length,
      inboxRows: rows.rows.length,
      finalInputs: rows.rows.length - notFinal.length,
      effects: check.effects.length,
      effectsAtPeer: check.effects.reduce((sum, effect) => sum + effect.atPeer, 0),
      auditEvents: audit.count,
      logLinesScanned: check.logs.length,
      tablesScanned: scan.tables,
      rowsScanned: scan.rows,
    };
    process.stdout.write(`[reliability] ${check.scenario}: ${JSON.stringify(counts)}\n`);
    return counts;
  } finally {
    await client.end();
  }
}

/** Every row of every table (Agenda's jobs included), as text, searched for the canaries. */
async function scanTables(client: pg.Client, canaries: string[]) {
  const tables = await client.query<{ schema: string; name: string }>(
    `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
     WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
  );
  const hits: string[] = [];
  let rows = 0;
  for (const table of tables.rows) {
    const ident = `${quote(table.schema)}.${quote(table.name)}`;
    const result = await client.query<{ row: string }>(`SELECT t::text AS row FROM ${ident} t`);
    rows += result.rows.length;
    for (const { row } of result.rows) {
      for (const canary of canaries) if (row.includes(canary)) hits.push(`${ident}: ${row.slice(0, 200)}`);
    }
  }
  return { hits, tables: tables.rows.length, rows };
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** A production-style logger (JSON, secrets redacted) whose every line is kept for the canary check. */
export function capturingLogger(secrets: string[]): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new PassThrough();
  let partial = '';
  stream.on('data', (chunk: Buffer) => {
    const text = partial + chunk.toString('utf8');
    const parts = text.split('\n');
    partial = parts.pop() ?? '';
    lines.push(...parts.filter((line) => line.length > 0));
  });
  const logger = createLogger({
    level: 'debug',
    format: 'json',
    redactor: new SecretRedactor(secrets),
    stream,
  });
  return { logger, lines };
}

/** How many messages carrying this effect id the fake Slack API stored (chat.postMessage calls). */
export function slackPostsOf(fake: FakeSlackApi, effectId: string): number {
  return fake.callsOf('chat.postMessage').filter((call) => effectIdOf(call) === effectId).length;
}

export function effectIdOf(call: RecordedCall): string | null {
  const metadata = call.params.metadata as { event_payload?: { effect_id?: unknown } } | undefined;
  const id = metadata?.event_payload?.effect_id;
  return typeof id === 'string' ? id : null;
}

/** Lines of a child process's output (JSON logs), for the canary check. */
export function outputLines(output: string): string[] {
  return output.split('\n').filter((line) => line.length > 0);
}
