/**
 * The canary: an agent's tool loop (scripted LLM replies with tool calls, real OpenAI client, real Agenda
 * jobs) asks for a credential → a `credential` checkpoint → a TO provides the value (provideCredential:
 * vault + the one decision handler) → `task.resume` → the agent calls `http_request` with the handle it was
 * given → the loopback API receives the canary as a bearer token. The canary then appears in no LLM
 * request body, no log line, no Slack Web API call (the checkpoint's card, posted and updated), and no row
 * of any database table (the vault keeps its values in its own encrypted files, not in the database).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { provideCredential } from '../../handlers/checkpoints/provide-credential.js';
import type { Checkpoint } from '../../ports/store.js';
import { HeldJobs, startAgentHarness, type AgentHarness } from '../security/agent-harness.js';
import { newActiveProject, newPerson, startRecordingApi } from '../security/privileged-support.js';
import { until } from '../support/until.js';

const CANARY = 'canary-7Q2v9XkLp3RzT8wN5mJb';

describe('credential canary', () => {
  let h: AgentHarness;
  let api: Awaited<ReturnType<typeof startRecordingApi>>;

  beforeAll(async () => {
    h = await startAgentHarness({ slack: true });
    api = await startRecordingApi();
  });

  afterAll(async () => {
    await api?.close();
    await h?.stop();
  });

  async function everyDatabaseRow(): Promise<{ table: string; row: string }[]> {
    const client = new pg.Client({ connectionString: h.db.connectionString });
    await client.connect();
    try {
      const tables = await client.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`,
      );
      const rows: { table: string; row: string }[] = [];
      for (const { table_name: table } of tables.rows) {
        const result = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${table}" t`);
        for (const { row } of result.rows) rows.push({ table, row });
      }
      return rows;
    } finally {
      await client.end();
    }
  }

  test('the tool receives the secret; the canary is in no LLM request, log line, Slack call or database row', async () => {
    const { store, llm, scheduler } = h;
    const to = await newPerson(store, 'to', 'Tom');
    const { project, tasks } = await newActiveProject(store);
    const task = tasks[0]!;
    llm.reply({
      toolCalls: [
        {
          name: 'request_credential',
          arguments: {
            service: 'Partner',
            name: 'partner_token',
            purpose: 'read orders from the partner API',
            host: api.host,
          },
        },
      ],
    });
    await scheduler.enqueue('task.run.apollo', { taskId: task.id });
    const checkpoint: Checkpoint = await until(async () =>
      (await store.checkpoints.list({ projectId: project.id, status: ['pending'] })).find(
        (c) => c.kind === 'credential',
      ),
    );
    await until(async () => (await store.tasks.get(task.id))?.status === 'waiting_checkpoint');
    expect(checkpoint.request.details).toMatchObject({
      credential: 'partner_token',
      host: api.host,
      tool: 'http_request',
    });

    // The TO provides the value; the resume waits until the next model answers are scripted.
    const held = new HeldJobs(scheduler);
    const provided = await provideCredential({
      store,
      vault: h.vault,
      jobs: held,
      checkpointId: checkpoint.id,
      value: CANARY,
      by: to,
    });
    expect(provided.status).toBe('decided');
    const lease = (await store.secretLeases.getByCheckpoint(checkpoint.id))!;
    expect(lease).toMatchObject({ taskId: task.id, tool: 'http_request' });
    llm.reply(
      {
        toolCalls: [
          {
            name: 'http_request',
            arguments: { url: `${api.url}/orders`, method: 'GET', credential: lease.id },
          },
        ],
      },
      { toolCalls: [{ name: 'finish', arguments: { summary: 'Orders read.', artifacts: [] } }] },
    );
    await held.release();
    await until(async () => (await store.tasks.get(task.id))?.status === 'done');

    // The tool received the secret: the API saw it as the bearer token.
    expect(api.calls).toHaveLength(1);
    expect(api.calls[0]!.authorization).toBe(`Bearer ${CANARY}`);
    // A careless component logging what the API answered (the API echoes the token) is still redacted.
    h.logger.warn('partner api answered', { answer: { youSent: api.calls[0]!.authorization } });

    // The model got the handle, never the value: in no LLM request body.
    const bodies = llm.chatRequests().map((request) => JSON.stringify(request.body));
    expect(bodies).toHaveLength(3);
    expect(bodies[1]).toContain(lease.id);
    for (const body of bodies) expect(body).not.toContain(CANARY);

    // In no log line.
    expect(h.lines.length).toBeGreaterThan(0);
    for (const line of h.lines) expect(line).not.toContain(CANARY);
    expect(h.lines.some((line) => line.includes('partner api answered') && line.includes('[REDACTED]'))).toBe(
      true,
    );

    // In no database row (every table, every row as text); the rows that are there name it only.
    const rows = await everyDatabaseRow();
    expect(rows.length).toBeGreaterThan(20);
    const leaks = rows.filter(({ row }) => row.includes(CANARY));
    expect(leaks).toEqual([]);
    expect(rows.some(({ table, row }) => table === 'secret_leases' && row.includes(lease.secretName))).toBe(
      true,
    );

    // In no outbound Slack body: the credential card, as posted and as updated after the approval.
    const slack = h.slack!;
    await slack.waitFor(
      (call) => call.method === 'chat.postMessage' && JSON.stringify(call.params).includes(checkpoint.id),
    );
    await slack.waitFor(
      (call) => call.method === 'chat.update' && JSON.stringify(call.params).includes('partner_token'),
    );
    expect(slack.calls.length).toBeGreaterThanOrEqual(2);
    for (const call of slack.calls) expect(JSON.stringify(call.params)).not.toContain(CANARY);

    // Positive controls: the vault holds it, and the access is audited without it.
    expect(await h.vault.access(lease.secretName, lease.secretVersion)).toBe(CANARY);
    const accessed = (await store.audit.list({ subjectId: task.id })).filter(
      (e) => e.action === 'secret.accessed',
    );
    expect(accessed).toHaveLength(1);
    expect(accessed[0]!.data).toMatchObject({
      leaseId: lease.id,
      credential: 'partner_token',
      host: api.host,
    });
    process.stdout.write(
      `credential canary: checked ${bodies.length} LLM requests, ${h.lines.length} log lines, ${rows.length} database rows, ${h.slack!.calls.length} Slack calls: 0 leaks\n`,
    );
  });
});
