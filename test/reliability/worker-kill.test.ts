/**
 * Fault: a worker process is SIGKILLed in the middle of a job that posts to Slack and sends a mail (its
 * Slack post has reached Slack, the answer has not come back). Another worker re-runs the job once its
 * lock lapses: the post is found at Slack by its effect id instead of being sent again, the mail goes out
 * once. Counted at the peers: the recording Slack API and the real mailbox (Postfix → Dovecot).
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createSilentLogger } from '../../common/logging/logger.js';
import { effectMessageId } from '../../bot/email/message-id.js';
import { defineJob } from '../../orchestration/jobs/job-definition.js';
import { createJobQueue } from '../../bot/wiring/job-queue.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import { z } from 'zod';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.js';
import { startSlackFaultProxy, type SlackFaultProxy } from '../support/fake-slack-faults.js';
import {
  MAIL_DOMAIN,
  mailServerUnavailable,
  startMailServer,
  type MailServer,
} from '../support/mail-server.js';
import { until } from '../support/until.js';
import { writeEffectsWorker } from './effects-worker.js';
import { checkInvariants, outputLines, slackPostsOf } from './invariants.js';

const CANARY = 'xoxb-canary-worker-5c1e88aa09';
const unavailable = mailServerUnavailable();

interface Worker {
  output(): string;
  kill(signal: NodeJS.Signals): Promise<void>;
}

describe('reliability: a worker killed mid-job', () => {
  let db: EmbeddedStore;
  let fake: FakeSlackApi;
  let faults: SlackFaultProxy;
  let mail: MailServer;
  let enqueuer: AgendaJobQueue;
  let script: string;

  const worker = (name: string): Worker => {
    const child = spawn(process.execPath, [script], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATABASE_URL: db.connectionString,
        SLACK_BOT_TOKEN: CANARY,
        SLACK_API_URL: faults.apiUrl,
        SMTP_URL: mail.smtpUrl(),
        MAIL_FROM: `bot@${MAIL_DOMAIN}`,
        LOCK_MS: '3000',
        WORKER: name,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    return {
      output: () => output,
      async kill(signal) {
        child.kill(signal);
        await exited;
      },
    };
  };

  beforeAll(async () => {
    if (unavailable) return;
    script = writeEffectsWorker();
    db = await startEmbeddedStore();
    fake = await startFakeSlackApi();
    faults = await startSlackFaultProxy(fake.apiUrl);
    mail = await startMailServer();
    enqueuer = createJobQueue({
      store: db.store,
      logger: createSilentLogger(),
      settings: { processEvery: '1 minute', maxConcurrency: 1, lockLimit: 1, lockLifetimeMs: 3000 },
      shutdownTimeoutMs: 1000,
      catalogue: [
        defineJob({
          name: 'reliability.effects',
          description: 'enqueued here, run by the worker processes',
          schema: z.object({ key: z.string(), channel: z.string(), to: z.string() }).strict(),
          handler: () => Promise.resolve(),
        }),
      ],
      work: false,
    });
    await enqueuer.start();
  }, 120_000);

  afterAll(async () => {
    if (unavailable) return;
    faults?.releaseAll();
    await enqueuer?.stop();
    await mail?.stop();
    await faults?.close();
    await fake?.close();
    await db?.teardown();
  }, 60_000);

  (unavailable ? test.skip : test)(
    `one re-run, no duplicate post or mail${unavailable ? ` (skipped: ${unavailable})` : ''}`,
    async () => {
      const first = worker('worker-1');
      await until(() => Promise.resolve(first.output().includes('effects worker ready')));
      faults.holdResponses('chat.postMessage');
      const key = `job-${Date.now()}`;
      await enqueuer.enqueue('reliability.effects', { key, channel: 'C0STATUS', to: `alice@${MAIL_DOMAIN}` });
      await faults.waitForHeld(1);
      await first.kill('SIGKILL');
      faults.releaseAll();

      const second = worker('worker-2');
      await until(() => Promise.resolve(second.output().includes('effects attempt finished')), 60_000);
      const messageId = effectMessageId(`reliability.mail:${key}`, `bot@${MAIL_DOMAIN}`);
      const delivered = await mail.waitFor('alice', (mails) => mails.some((m) => m.messageId === messageId));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      await second.kill('SIGTERM');

      const outputs = [first.output(), second.output()];
      const attempts = outputs
        .join('\n')
        .split('\n')
        .filter((line) => line.includes('effects attempt started'));
      expect(attempts).toHaveLength(2);
      const slackEffect = `reliability.slack:${key}`;
      expect((await db.store.outbox.get(slackEffect))?.attempts).toBe(2);
      const mails = (await mail.read('alice')).filter((m) => m.mail.messageId === messageId);
      expect(delivered.length).toBeGreaterThan(0);
      await checkInvariants({
        scenario: 'worker SIGKILLed mid-job (Slack + mail)',
        store: db.store,
        connectionString: db.connectionString,
        inputs: [],
        effects: [
          { effectId: slackEffect, atPeer: slackPostsOf(fake, slackEffect) },
          { effectId: `reliability.mail:${key}`, atPeer: mails.length },
        ],
        canaries: [CANARY],
        logs: outputs.flatMap(outputLines),
      });
    },
    180_000,
  );
});
