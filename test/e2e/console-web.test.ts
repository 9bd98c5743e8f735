/**
 * The web console in Debian's Chromium (playwright-core), against a real `olympus start` with the
 * embedded PostgreSQL and the scripted LLM server: a client conversation forms and confirms a brief; the
 * plan_review card appears in the ops channel without a reload; Approve (the card's button, through the
 * decision handler) makes the tasks move; a spend card rejected with a reason shows the reason in the
 * project's audit trail. Each step leaves a screenshot under test-artifacts/console-web/.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { LlmIntakeTurn } from '../../agents/hermes/llm-intake-brain.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { openCheckpoint } from '../../orchestration/checkpoints/open-checkpoint.js';
import { jobCatalogue } from '../../orchestration/jobs/job-catalogue.js';
import { createJobQueue } from '../../bot/wiring/job-queue.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import { findFreePort } from '../../storage/free-port.js';
import type { Store } from '../../ports/store.js';
import { createPostgresStore } from '../../storage/postgres/postgres-store.js';
import { cleanEnv, startCli, waitForStatus, type Running } from '../support/cli-process.js';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.js';
import { until } from '../support/until.js';
import { FOUR_TASK_PLAN, intakeTurn } from '../support/scripted-project.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../test-artifacts/console-web',
);
// CI installs Chromium (.ci/run), so there a missing browser is a failure; elsewhere the suite says why it skips.
if (!existsSync(CHROMIUM) && process.env.CI) {
  throw new Error(`console-web: ${CHROMIUM} is missing; .ci/run installs it (apt-get install chromium)`);
}
const describeWithChromium = existsSync(CHROMIUM) ? describe : describe.skip;
if (!existsSync(CHROMIUM)) {
  process.stderr.write(`console-web: ${CHROMIUM} is missing (apt-get install chromium); skipped\n`);
}

const RESULT = { summary: 'Done as specified.', artifacts: [{ kind: 'file', ref: 'src/index.ts' }] };

const turn = (over: Partial<LlmIntakeTurn>) => intakeTurn(over);

describeWithChromium('web console in a browser', () => {
  let running: Running;
  let llm: FakeLlmServer;
  let base: string;
  let browser: Browser;
  let page: Page;
  let store: Store;
  let jobs: AgendaJobQueue;
  let projectId: string;
  const logger = createSilentLogger();
  const cwd = mkdtempSync(path.join(tmpdir(), 'olympus-console-web-'));
  chmodSync(cwd, 0o755);

  const shot = async (name: string) => {
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  };

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    llm = await startFakeLlmServer();
    const port = await findFreePort();
    const pgPort = await findFreePort();
    const env = cleanEnv({
      OLYMPUS_HTTP_PORT: String(port),
      OLYMPUS_EMBEDDED_PG_PORT: String(pgPort),
      OLYMPUS_JOBS_PROCESS_EVERY: '1 second',
      OPENAI_API_KEY: 'sk-test-key',
      OPENAI_BASE_URL: llm.openaiBaseUrl,
      OLYMPUS_LLM_MAX_ATTEMPTS: '1',
    });
    base = `http://127.0.0.1:${port}`;
    running = startCli(['start'], { env, cwd });
    await waitForStatus(`${base}/readyz`, 200, 90_000, running);
    const password = readFileSync(path.join(cwd, 'data', 'postgres.password'), 'utf8').trim();
    store = createPostgresStore({
      connectionString: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/olympus`,
    });
    // Enqueues only (like `olympus bot`): the server's workers run what the test's checkpoint needs.
    jobs = createJobQueue({
      store,
      logger,
      settings: { processEvery: '1 second', maxConcurrency: 1, lockLimit: 1, lockLifetimeMs: 60_000 },
      shutdownTimeoutMs: 5000,
      catalogue: jobCatalogue({ store, logger }),
      work: false,
    });
    await jobs.start();
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  }, 150_000);

  afterAll(async () => {
    await browser?.close();
    await jobs?.stop();
    await store?.close();
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGTERM');
      await running.exited;
    }
    await llm?.close();
  });

  async function say(text: string): Promise<void> {
    const before = await page.locator('.message.from-hermes').count();
    await page.fill('textarea[name=text]', text);
    await page.click('.compose button[type=submit]');
    await page.locator('.message.from-hermes').nth(before).waitFor({ timeout: 60_000 });
  }

  test('on loopback without tokens only loopback Host names are the local operator (no DNS rebinding)', async () => {
    const status = (host: string) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(`${base}/api/console/me`);
        http
          .get({ host: url.hostname, port: url.port, path: url.pathname, headers: { host } }, (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          })
          .on('error', reject);
      });
    expect(await status(`127.0.0.1:${new URL(base).port}`)).toBe(200);
    expect(await status(`localhost:${new URL(base).port}`)).toBe(200);
    expect(await status('evil.example')).toBe(401);
  });

  test('a client conversation forms a brief beside the chat and confirms it', async () => {
    await page.goto(base);
    await page.fill('input[name=as]', 'alice@example.com');
    await page.click('.who button[type=submit]');

    llm.reply(
      turn({
        draftUpdates: {
          title: 'Sales Digest',
          summary: 'A weekly email digest of sales numbers for the regional managers',
          features: [
            { name: 'email digest', priority: 'must' },
            { name: 'PDF export', priority: 'could' },
          ],
          timeline: { deadline: '2031-03-15' },
          budget: { amount: 12_000, currency: 'USD' },
        },
        reply: "Thanks, that's everything I need. Here's the brief for a check.",
      }),
    );
    await say('We need a weekly email digest of sales numbers, called Sales Digest, by March 2031, $12k.');
    const brief = page.locator('#draft-brief');
    await expect(brief.locator('[data-field=title] dd').textContent()).resolves.toBe('Sales Digest');
    await expect(brief.locator('[data-field=budget] dd').textContent()).resolves.toContain('12,000 USD');
    await expect(page.locator('.message.from-hermes').last().textContent()).resolves.toContain(
      'Is this right?',
    );
    await shot('01-draft-brief');

    // Planning (reasoning tier) and the tasks get their own queue, so they never take the intake's turns.
    llm.replyFor(
      'gpt-4o',
      { content: JSON.stringify(FOUR_TASK_PLAN) },
      // Each agent's tool loop ends with `finish`.
      ...Array.from({ length: 4 }, () => ({ toolCalls: [{ name: 'finish', arguments: RESULT }] })),
    );
    llm.reply(turn({ intent: 'confirm', reply: 'Wonderful.' }));
    await say('Yes, looks good');
    await page.locator('#draft-brief [data-state=handed_off]').waitFor({ timeout: 30_000 });
    await page.locator('.message.from-hermes', { hasText: 'handed it off' }).waitFor();
    await shot('02-brief-confirmed');
    const projects = (await (await fetch(`${base}/api/console/projects`)).json()) as {
      projects: Array<{ id: string; key: string }>;
    };
    projectId = projects.projects.find((project) => project.key === 'sales-digest')!.id;
    expect(projectId).toBeDefined();
  }, 120_000);

  test('the plan_review card appears in the ops channel, rendered from its Block Kit', async () => {
    await page.click('[data-tab=ops]');
    // Arrives over server-sent events once the plan is made: no reload.
    const card = page.locator('#pending-cards article[data-kind=plan_review]');
    await card.waitFor({ timeout: 60_000 });
    await expect(card.locator('.bk-header').textContent()).resolves.toContain('Plan review');
    const text = (await card.textContent()) ?? '';
    expect(text).toContain('Sales Digest (sales-digest)');
    expect(text).toContain('Do api (apollo)');
    await expect(card.locator('button[data-action-id="checkpoint.approve"]').isEnabled()).resolves.toBe(true);
    await expect(card.locator('button[data-action-id="checkpoint.reject"]').count()).resolves.toBe(1);
    await shot('03-plan-review-card');
  }, 90_000);

  test('Approve on the card decides it and the tasks move', async () => {
    const card = page.locator('#pending-cards article[data-kind=plan_review]');
    await card.locator('button[data-action-id="checkpoint.approve"]').click();
    const decided = page.locator('#decided-cards article[data-kind=plan_review][data-status=approved]');
    await decided.waitFor({ timeout: 30_000 });
    await expect(decided.locator('.bk-context').textContent()).resolves.toContain(
      'Approved by Local operator',
    );
    await shot('04-plan-approved');

    const review = (await store.checkpoints.list({ projectId })).find((c) => c.kind === 'plan_review')!;
    expect(review.status).toBe('approved');
    const audit = await store.audit.list({ subjectId: review.id });
    expect(audit.some((event) => event.action === 'checkpoint.decided')).toBe(true);

    await page.goto(`${base}/#projects/${projectId}`);
    await page.locator('#tasks tr[data-task=api]').waitFor({ timeout: 30_000 });
    await expect(page.locator('#tasks tr').count()).resolves.toBe(4);
    // The first task runs to done and the next one starts; the page follows live, without a reload.
    await page.locator('#tasks tr[data-task=api][data-status=done]').waitFor({ timeout: 60_000 });
    await page.locator('.task-graph g[data-task=api][data-status=done]').waitFor();
    await page
      .locator('#tasks tr[data-task=ui]:not([data-status=pending]):not([data-status=ready])')
      .waitFor({ timeout: 60_000 });
    await shot('05-tasks-moving');

    // What a done task delivered shows on the page, with the workspace to download.
    const delivered = page.locator('#deliverables li[data-task=api]');
    await delivered.waitFor({ timeout: 30_000 });
    await expect(delivered.locator('.deliverable-summary').textContent()).resolves.toBe('Done as specified.');
    await expect(delivered.locator('.deliverable-files').textContent()).resolves.toBe('No files changed.');
    const link = page.locator('#deliverables a.download');
    const href = (await link.getAttribute('href'))!;
    expect(href).toBe(`/api/console/projects/${projectId}/workspace.tar.gz`);
    const download = await page.request.get(`${base}${href}`);
    expect(download.status()).toBe(200);
    expect(download.headers()['content-type']).toBe('application/gzip');
    expect(download.headers()['content-disposition']).toContain('-workspace.tar.gz');
    await shot('05b-deliverables');
  }, 120_000);

  test('a spend card rejected with a reason shows the reason in the audit trail', async () => {
    const opened = await openCheckpoint({
      store,
      jobs,
      checkpoint: {
        projectId,
        taskId: null,
        kind: 'spend',
        requestedBy: 'hephaestus',
        request: {
          title: 'Buy a staging database',
          summary:
            'A managed PostgreSQL for staging, 250 USD a month. <b>not bold</b> <img src=x onerror=alert(1)>',
          details: { spend: { amount: 250, currency: 'USD' } },
        },
      },
    });
    await page.click('[data-tab=ops]');
    const card = page.locator(`#pending-cards article[data-checkpoint-id="${opened.id}"]`);
    await card.waitFor({ timeout: 30_000 });
    expect(await card.textContent()).toContain('250.00 USD');
    // Text from agents is shown as typed, never parsed as HTML.
    expect(await card.textContent()).toContain('<b>not bold</b> <img src=x onerror=alert(1)>');
    expect(await card.locator('b, img').count()).toBe(0);
    await shot('06-spend-card');

    await card.locator('button[data-action-id="checkpoint.reject"]').click();
    await card.locator('textarea[name=reason]').fill('Staging can use the embedded database for now');
    await shot('07-spend-reject-reason');
    await card.locator('.card-ask button[type=submit]').click();
    await page
      .locator(`#decided-cards article[data-checkpoint-id="${opened.id}"][data-status=rejected]`)
      .waitFor({ timeout: 30_000 });

    await page.goto(`${base}/#projects/${projectId}`);
    const trail = page.locator('#audit-trail');
    await trail.waitFor({ timeout: 30_000 });
    await until(async () =>
      ((await trail.textContent()) ?? '').includes('Staging can use the embedded database for now'),
    );
    const row = trail.locator('tr[data-action="checkpoint.decided"]', {
      hasText: 'Staging can use the embedded database for now',
    });
    await expect(row.textContent()).resolves.toContain('outcome: rejected');
    await shot('08-audit-trail-reason');
    const stored = await store.checkpoints.get(opened.id);
    expect(stored?.decision).toMatchObject({
      outcome: 'rejected',
      reason: 'Staging can use the embedded database for now',
    });
  }, 120_000);

  test('Provide credential stores the secret through the vault and approves; the page never shows it', async () => {
    const api = (await store.tasks.listByProject(projectId)).find((t) => t.key === 'api')!;
    const secret = 'sk-live-do-not-show-4711';
    const opened = await openCheckpoint({
      store,
      jobs,
      checkpoint: {
        projectId,
        taskId: api.id,
        kind: 'credential',
        requestedBy: 'apollo',
        request: {
          title: 'Stripe test key',
          summary: 'The payments sandbox needs an API key.',
          details: {
            credential: 'stripe_key',
            purpose: 'payments sandbox',
            host: 'api.stripe.com',
            tool: 'http_request',
            projectKey: 'sales-digest',
            taskId: api.id,
            taskKey: 'api',
            secretName: 'olympus-sales-digest-stripe_key',
            leaseMinutes: 60,
          },
        },
      },
    });
    await page.click('[data-tab=ops]');
    const card = page.locator(`#pending-cards article[data-checkpoint-id="${opened.id}"]`);
    await card.waitFor({ timeout: 30_000 });
    await card.locator('button[data-action-id="checkpoint.provide_credential"]').click();
    await card.locator('input[name=credential][type=password]').fill(secret);
    await shot('09-provide-credential');
    await card.locator('.card-ask button[type=submit]').click();
    await page
      .locator(`#decided-cards article[data-checkpoint-id="${opened.id}"][data-status=approved]`)
      .waitFor({ timeout: 30_000 });
    expect(await page.content()).not.toContain(secret);
    const events = await store.audit.list({ subjectId: opened.id });
    expect(events.map((event) => event.action)).toEqual(
      expect.arrayContaining(['credential.provided', 'checkpoint.decided']),
    );
    expect(JSON.stringify(events)).not.toContain(secret);
    await shot('10-credential-provided');
  }, 90_000);
});
