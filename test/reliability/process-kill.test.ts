/**
 * Fault: the real `olympus start` killed with SIGKILL
 * - before the ack (OLYMPUS_FAULT=slack.before_ack: it dies after storing the event, before answering),
 * - right after the ack (the test kills it as soon as Slack's 200 arrives),
 * - after persisting but before the job is enqueued (OLYMPUS_FAULT=checkpoint.after_decision: a TO's
 *   decision is stored, its card and effect jobs are not).
 * After each restart every input is processed exactly once: one reply per DM at Slack, one card update.
 * The store is a PostgreSQL the test owns (DATABASE_URL), so it outlives the killed processes.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createSilentLogger } from '../../common/logging/logger.js';
import { openCheckpoint } from '../../orchestration/checkpoints/open-checkpoint.js';
import { jobCatalogue } from '../../orchestration/jobs/job-catalogue.js';
import { createJobQueue } from '../../bot/wiring/job-queue.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import { findFreePort } from '../../storage/free-port.js';
import { TEST_MASTER_KEY, cleanEnv, startCli, waitForStatus, type Running } from '../support/cli-process.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.js';
import { postEvent, postInteraction } from '../support/slack-signing.js';
import { until } from '../support/until.js';
import { checkInvariants, outputLines, slackPostsOf } from './invariants.js';
import {
  RIG_CANARY,
  RIG_OPS,
  RIG_SECRET,
  RIG_TO,
  approvePress,
  directMessage,
  seedProject,
} from './slack-rig.js';

describe('reliability: olympus start killed with SIGKILL', () => {
  let db: EmbeddedStore;
  let fake: FakeSlackApi;
  let enqueuer: AgendaJobQueue;
  let cwd: string;
  let port: number;
  let running: Running | null = null;
  const outputs: string[] = [];

  const start = async (fault?: string) => {
    running = startCli(['start'], {
      cwd,
      env: cleanEnv({
        OLYMPUS_HTTP_PORT: String(port),
        OLYMPUS_LOG_LEVEL: 'debug',
        OLYMPUS_JOBS_PROCESS_EVERY: '1 second',
        DATABASE_URL: db.connectionString,
        OLYMPUS_MASTER_KEY: TEST_MASTER_KEY,
        SLACK_BOT_TOKEN: RIG_CANARY,
        SLACK_SIGNING_SECRET: RIG_SECRET,
        SLACK_API_URL: fake.apiUrl,
        SLACK_OPS_CHANNEL: RIG_OPS,
        SLACK_TO_USERS: RIG_TO,
        ...(fault ? { OLYMPUS_FAULT: fault } : {}),
      }),
    });
    await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 60_000, running);
    return running;
  };
  const killed = async (process: Running) => {
    process.child.kill('SIGKILL');
    await process.exited;
    outputs.push(process.output());
  };
  const url = () => `http://127.0.0.1:${port}/slack/events`;

  beforeAll(async () => {
    db = await startEmbeddedStore();
    fake = await startFakeSlackApi();
    cwd = mkdtempSync(path.join(tmpdir(), 'olympus-kill-'));
    chmodSync(cwd, 0o755);
    port = await findFreePort();
    const logger = createSilentLogger();
    enqueuer = createJobQueue({
      store: db.store,
      logger,
      settings: { processEvery: '1 minute', maxConcurrency: 1, lockLimit: 1, lockLifetimeMs: 60_000 },
      shutdownTimeoutMs: 1000,
      catalogue: jobCatalogue({ store: db.store, logger }),
      work: false,
    });
    await enqueuer.start();
  }, 90_000);

  afterAll(async () => {
    if (running && running.child.exitCode === null && running.child.signalCode === null) {
      running.child.kill('SIGTERM');
      await running.exited;
    }
    await enqueuer?.stop();
    await fake?.close();
    await db?.teardown();
  });

  test('killed before the ack, right after it, and between a decision and its jobs: each input once', async () => {
    const store = db.store;
    const replies = (channel: string) =>
      fake.callsOf('chat.postMessage').filter((call) => call.params.channel === channel);

    // 1. Killed before the ack: the event is stored, Slack gets no answer and retries after the restart.
    const first = await start('slack.before_ack');
    const dmA = directMessage(
      'EvKillBeforeAck',
      '1700004000.000100',
      'We need an inventory tool',
      'U0KILL',
      'D0KILLA',
    );
    await expect(postEvent(url(), dmA, { secret: RIG_SECRET })).rejects.toThrow();
    await first.exited;
    outputs.push(first.output());
    expect((await store.inbox.get('slack:event:EvKillBeforeAck'))?.status).toBe('processing');

    let current = await start();
    const retry = await postEvent(url(), dmA, {
      secret: RIG_SECRET,
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect(retry.status).toBe(200);
    await until(async () => (await store.inbox.get('slack:event:EvKillBeforeAck'))?.status === 'done');
    await until(() => Promise.resolve(replies('D0KILLA').length > 0));

    // 2. Killed right after the ack: Slack will not retry; the restart finishes what was stored.
    const dmB = directMessage(
      'EvKillAfterAck',
      '1700004000.000200',
      'Also a booking page',
      'U0KILL',
      'D0KILLB',
    );
    expect((await postEvent(url(), dmB, { secret: RIG_SECRET })).status).toBe(200);
    await killed(current);

    // 3. Killed between a TO's decision and its follow-up jobs.
    current = await start('checkpoint.after_decision');
    await until(async () => (await store.inbox.get('slack:event:EvKillAfterAck'))?.status === 'done');
    await until(() => Promise.resolve(replies('D0KILLB').length > 0));
    const { projectId, taskId } = await seedProject(store, 'killed');
    const checkpoint = await openCheckpoint({
      store,
      jobs: enqueuer,
      checkpoint: {
        projectId,
        taskId,
        kind: 'deploy',
        requestedBy: 'hephaestus',
        request: { title: 'Deploy to production', summary: 'Ship it.', details: { env: 'prod' } },
      },
    });
    const card = await until(async () => (await store.checkpoints.get(checkpoint.id))?.cards[0] ?? null);
    const press = approvePress(checkpoint, card.messageId, RIG_TO);
    await postInteraction(url(), press.payload, { secret: RIG_SECRET }).catch(() => null);
    await current.exited;
    outputs.push(current.output());
    expect((await store.checkpoints.get(checkpoint.id))?.status).toBe('approved');
    const updates = () => fake.callsOf('chat.update').filter((call) => call.params.ts === card.messageId);
    expect(updates()).toHaveLength(0);

    current = await start();
    await until(async () => (await store.inbox.get(press.key))?.status === 'done', 60_000);
    await until(
      async () => (await store.outbox.get(`slack.card:${checkpoint.id}:approved`))?.status === 'done',
      60_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 1500));
    current.child.kill('SIGTERM');
    await current.exited;
    outputs.push(current.output());

    const password = decodeURIComponent(new URL(db.connectionString).password);
    const effect = (effectId: string) => ({ effectId, atPeer: slackPostsOf(fake, effectId) });
    await checkInvariants({
      scenario: 'olympus start SIGKILLed ×3',
      store,
      connectionString: db.connectionString,
      inputs: ['slack:event:EvKillBeforeAck', 'slack:event:EvKillAfterAck', press.key],
      effects: [
        effect('slack.reply:D0KILLA:1700004000.000100'),
        effect('slack.reply:D0KILLB:1700004000.000200'),
        effect(`slack.card:${checkpoint.id}:post`),
        { effectId: `slack.card:${checkpoint.id}:approved`, atPeer: updates().length },
      ],
      canaries: [RIG_CANARY, RIG_SECRET, password],
      logs: outputs.flatMap(outputLines),
    });
  }, 300_000);
});
