/**
 * The worker process of worker-kill.test.ts, kept as JavaScript source and written into dist/ (next to
 * the compiled modules it imports, so `npm run build` must have run) when the test starts.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');

/** Writes the worker script and returns its path. */
export function writeEffectsWorker(): string {
  const dir = path.join(DIST, 'reliability-fixtures');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, 'effects-worker.mjs');
  writeFileSync(file, SOURCE);
  return file;
}

const SOURCE = `/**
 * A worker process for the reliability suite, built from Olympus's compiled modules (written into dist/ by the test,
 * next to the modules it imports): the real job scheduler on the shared store, running one job, \`reliability.effects\`, whose
 * handler posts to Slack (the one outbox through the Slack transport: channel queue, effect id in message metadata) and then sends a
 * mail (the one outbox through the email transport: fixed Message-ID). The test SIGKILLs it mid-job and starts another.
 * Settings come from the environment: DATABASE_URL, SLACK_API_URL, SMTP_URL, MAIL_FROM, LOCK_MS, WORKER.
 */
import nodemailer from 'nodemailer';
import { z } from 'zod';
import { emailTransport } from '../bot/email/email-transport.js';
import { chatOutbox } from '../handlers/outbox/chat-outbox.js';
import { slackOutbound } from '../bot/slack/slack-outbound.js';
import { createLogger } from '../common/logging/logger.js';
import { SecretRedactor } from '../common/logging/redactor.js';
import { defineJob } from '../orchestration/jobs/job-definition.js';
import { createJobQueue } from '../bot/wiring/job-queue.js';
import { createPostgresStore } from '../storage/postgres/postgres-store.js';

const env = process.env;
const lockMs = Number(env.LOCK_MS ?? 3000);
const logger = createLogger({
  level: 'debug',
  format: 'json',
  redactor: new SecretRedactor([env.SLACK_BOT_TOKEN ?? '']),
  defaultMeta: { worker: env.WORKER },
});
const store = createPostgresStore({ connectionString: env.DATABASE_URL });
const settings = {
  botToken: env.SLACK_BOT_TOKEN,
  signingSecret: null,
  apiUrl: env.SLACK_API_URL,
  opsChannel: null,
  toUsers: [],
  retries: 0,
  timeoutMs: 60_000,
  postIntervalMs: 10,
};
const outbound = slackOutbound(settings, logger);
const mailer = emailTransport({ smtp: nodemailer.createTransport(env.SMTP_URL), address: env.MAIL_FROM });

const job = defineJob({
  name: 'reliability.effects',
  description: 'posts to Slack, then sends a mail, each once',
  schema: z.object({ key: z.string().min(1), channel: z.string().min(1), to: z.string().min(1) }).strict(),
  lockLifetimeMs: lockMs,
  maxRetries: 3,
  async handler(payload, context) {
    logger.info('effects attempt started', { key: payload.key, attempt: context.attempt });
    await chatOutbox(store.outbox).send(
      outbound.transport,
      {
        effectId: \`reliability.slack:\${payload.key}\`,
        kind: 'reliability.slack',
        since: new Date(Date.now() - 60_000),
      },
      { op: 'post', to: { channel: payload.channel } },
      () => ({ text: \`Status of \${payload.key}\` }),
    );
    await chatOutbox(store.outbox).send(
      mailer,
      { effectId: \`reliability.mail:\${payload.key}\`, kind: 'reliability.mail' },
      { op: 'dm', userId: payload.to },
      () => ({ text: \`Status of \${payload.key}\`, extras: { subject: \`Status of \${payload.key}\` } }),
    );
    logger.info('effects attempt finished', { key: payload.key });
  },
});

const scheduler = createJobQueue({
  store,
  logger,
  settings: { processEvery: '1 second', maxConcurrency: 5, lockLimit: 5, lockLifetimeMs: lockMs },
  shutdownTimeoutMs: 1000,
  catalogue: [job],
  work: true,
  name: env.WORKER,
});
await scheduler.start();
logger.info('effects worker ready');
process.on('SIGTERM', () => {
  void scheduler
    .stop()
    .then(() => store.close())
    .then(() => process.exit(0));
});
`;
