/**
 * Provide credential on a credential checkpoint's card, end to end: signed button presses and a modal
 * submission into the real receiver; the value reaches the (real, local encrypted) vault and the
 * checkpoint is approved, while the value is in no recorded Slack call, no log line (logged at the most
 * verbose level, with nothing registered for redaction) and no database row.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import express from 'express';
import pg from 'pg';
import { wireSlackSurface } from '../../bot/wiring/slack.js';
import { secretNameFor } from '../../agents/tools/credential-lease.js';
import { createLogger } from '../../common/logging/logger.js';
import { SecretRedactor } from '../../common/logging/redactor.js';
import { openCheckpoint } from '../../orchestration/checkpoints/open-checkpoint.js';
import type { Checkpoint, Project, Task } from '../../ports/store.js';
import { LocalEncryptedVault } from '../../storage/vault/local-encrypted-vault.js';
import { postInteraction } from '../support/slack-signing.js';
import {
  SLACK_TEST_OPS,
  SLACK_TEST_SECRET,
  startSlackHarness,
  type SlackHarness,
} from '../support/slack-harness.js';
import { until } from '../support/until.js';

const [TO, OUTSIDER] = ['U0TOA', 'U0NOBODY'];
const SECRET_VALUE = `sk_live_${Math.random().toString(36).slice(2)}${Date.now()}`;
const signed = { secret: SLACK_TEST_SECRET };
let sequence = 0;

function press(checkpoint: Checkpoint, user: string) {
  sequence += 1;
  return {
    type: 'block_actions',
    team: { id: 'T0001' },
    user: { id: user },
    trigger_id: `trigger-credential-${sequence}`,
    channel: { id: SLACK_TEST_OPS },
    actions: [
      {
        action_id: 'checkpoint.provide_credential',
        action_ts: `1700000300.${sequence}`,
        value: `${checkpoint.id}:${checkpoint.request.actionHash}`,
      },
    ],
  };
}

function submit(privateMetadata: string, user: string, value: string) {
  sequence += 1;
  return {
    type: 'view_submission',
    team: { id: 'T0001' },
    user: { id: user },
    view: {
      id: `VCRED${sequence}`,
      callback_id: 'checkpoint.provide_credential',
      private_metadata: privateMetadata,
      state: { values: { credential: { value: { type: 'plain_text_input', value } } } },
    },
  };
}

describe('Provide credential', () => {
  let harness: SlackHarness;
  let vault: LocalEncryptedVault;
  let vaultDir: string;
  let project: Project;
  let task: Task;
  const lines: string[] = [];

  beforeAll(async () => {
    const stream = new PassThrough();
    stream.on('data', (chunk: Buffer) => lines.push(chunk.toString('utf8')));
    const logger = createLogger({ level: 'silly', format: 'json', redactor: new SecretRedactor(), stream });
    vaultDir = mkdtempSync(path.join(tmpdir(), 'olympus-slack-vault-'));
    vault = await LocalEncryptedVault.open({ dataDir: vaultDir, masterKey: null, logger });
    harness = await startSlackHarness({ toUsers: [TO], logger, vault });
    const store = harness.db.store;
    const owner = await store.identities.create({ displayName: 'Client' });
    ({ project } = await store.projects.create({
      key: 'shop',
      title: 'Web shop',
      ownerId: owner.id,
      brief: {},
      createdBy: owner.id,
    }));
    [task] = (await store.tasks.createMany(project.id, [
      { key: 'payments', role: 'apollo', title: 'Take payments', spec: 'Stripe checkout' },
    ])) as [Task];
  });

  afterAll(async () => {
    await harness?.teardown();
    await vault?.close();
    if (vaultDir) rmSync(vaultDir, { recursive: true, force: true });
  });

  test('the value reaches the vault and nowhere else; the checkpoint is approved', async () => {
    const { fake, db, url } = harness;
    const secretName = secretNameFor(project.key, 'stripe_key');
    const checkpoint = await openCheckpoint({
      store: db.store,
      jobs: harness.scheduler,
      checkpoint: {
        projectId: project.id,
        taskId: task.id,
        kind: 'credential',
        requestedBy: 'apollo',
        request: {
          title: 'Stripe API key',
          summary: 'Apollo needs the Stripe key to create checkout sessions.',
          details: {
            credential: 'stripe_key',
            purpose: 'Create checkout sessions',
            host: 'api.stripe.com',
            tool: 'http_request',
            projectKey: project.key,
            taskId: task.id,
            taskKey: task.key,
            secretName,
            leaseMinutes: 60,
          },
        },
      },
    });
    const card = await fake.waitFor(
      (call) =>
        call.method === 'chat.postMessage' &&
        JSON.stringify(call.params.metadata ?? '').includes(checkpoint.id),
    );
    const cardJson = JSON.stringify(card.params.blocks);
    expect(cardJson).toContain('checkpoint.provide_credential');
    expect(cardJson).toContain('Provide credential');
    expect(cardJson).toContain('stripe_key');

    // Someone who is not a TO: refused, audited, no modal.
    expect((await postInteraction(url, press(checkpoint, OUTSIDER), signed)).status).toBe(200);
    await fake.waitFor((call) => call.method === 'chat.postEphemeral' && call.params.user === OUTSIDER);
    expect(fake.callsOf('views.open')).toHaveLength(0);
    const refusals = (await db.store.audit.list({ subjectId: checkpoint.id })).filter(
      (event) => event.action === 'checkpoint.decision_refused',
    );
    expect(refusals).toHaveLength(1);

    // A TO: the modal opens with one secret input.
    expect((await postInteraction(url, press(checkpoint, TO), signed)).status).toBe(200);
    const opened = await fake.waitFor((call) => call.method === 'views.open');
    const view = opened.params.view as { callback_id: string; private_metadata: string; blocks: unknown[] };
    expect(view.callback_id).toBe('checkpoint.provide_credential');
    expect(JSON.stringify(view.blocks)).toContain('plain_text_input');

    // An empty submission is refused in the modal itself.
    const empty = await postInteraction(url, submit(view.private_metadata, TO, '   '), signed);
    expect(await empty.json()).toMatchObject({ response_action: 'errors' });

    const response = await postInteraction(url, submit(view.private_metadata, TO, SECRET_VALUE), signed);
    expect(response.status).toBe(200);
    const approved = await until(async () => {
      const current = await db.store.checkpoints.get(checkpoint.id);
      return current?.status === 'approved' ? current : null;
    });
    expect(approved.decision?.by).toBeDefined();

    const versions = await vault.listVersions(secretName);
    expect(versions).toHaveLength(1);
    expect(await vault.access(secretName, versions[0]!.version)).toBe(SECRET_VALUE);
    await fake.waitFor(
      (call) =>
        call.method === 'chat.postEphemeral' && String(call.params.text).includes('stored in the vault'),
    );
    await fake.waitFor(
      (call) => call.method === 'chat.update' && JSON.stringify(call.params.blocks).includes('Approved'),
    );

    // The inbox kept the submission without the value.
    const stored = (await db.store.inbox.get(`slack:view:T0001:${TO}:VCRED${sequence}`))!;
    expect(JSON.stringify(stored.payload)).toContain('[redacted]');

    // Nowhere else: no Slack call, no log line, no database row.
    expect(JSON.stringify(fake.calls)).not.toContain(SECRET_VALUE);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((line) => line.includes(SECRET_VALUE))).toEqual([]);
    const client = new pg.Client({ connectionString: db.connectionString });
    await client.connect();
    try {
      const tables = await client.query<{ schema: string; name: string }>(
        `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
         WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
      );
      expect(tables.rows.length).toBeGreaterThan(5);
      const hits: string[] = [];
      for (const table of tables.rows) {
        const ident = `"${table.schema}"."${table.name}"`;
        const rows = await client.query<{ row: string }>(`SELECT t::text AS row FROM ${ident} t`);
        for (const { row } of rows.rows) if (row.includes(SECRET_VALUE)) hits.push(ident);
      }
      expect(hits).toEqual([]);
    } finally {
      await client.end();
    }
  }, 60_000);

  test('a submission replayed from the inbox (value never kept) stores and decides nothing', async () => {
    const { fake, db } = harness;
    const checkpoint = await openCheckpoint({
      store: db.store,
      jobs: harness.scheduler,
      checkpoint: {
        projectId: project.id,
        taskId: task.id,
        kind: 'credential',
        requestedBy: 'apollo',
        request: {
          title: 'Mail API key',
          summary: 'Send receipts.',
          details: {
            credential: 'mail_key',
            purpose: 'Send receipts',
            host: 'api.mail.example',
            tool: 'http_request',
            projectKey: project.key,
            taskId: task.id,
            taskKey: task.key,
            secretName: secretNameFor(project.key, 'mail_key'),
            leaseMinutes: 60,
          },
        },
      },
    });
    const metadata = JSON.stringify({
      checkpointId: checkpoint.id,
      channel: SLACK_TEST_OPS,
      actionHash: checkpoint.request.actionHash,
    });
    const body = submit(metadata, TO, '[redacted]');
    const key = `slack:view:T0001:${TO}:${body.view.id}`;
    // What the receiver stored before a crash: the submission with its value replaced.
    await db.store.inbox.record(key, 'slack', body);
    const restarted = wireSlackSurface({
      settings: harness.settings,
      store: db.store,
      jobs: harness.scheduler,
      logger: createLogger({
        level: 'error',
        format: 'json',
        redactor: new SecretRedactor(),
        stream: new PassThrough(),
      }),
      app: express(),
      vault,
    });
    await restarted.start();
    try {
      await fake.waitFor(
        (call) =>
          call.method === 'chat.postEphemeral' &&
          String(call.params.text).includes('press Provide credential again'),
      );
      await until(async () => (await db.store.inbox.get(key))?.status === 'done');
    } finally {
      await restarted.stop();
    }
    expect((await db.store.checkpoints.get(checkpoint.id))?.status).toBe('pending');
    await expect(vault.listVersions(secretNameFor(project.key, 'mail_key'))).rejects.toMatchObject({
      code: 'SECRET_NOT_FOUND',
    });
  }, 60_000);
});
