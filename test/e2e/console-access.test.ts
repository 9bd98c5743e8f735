/**
 * Console access against a real `olympus start`: bound to a non-loopback address without a token it
 * refuses to start; with tokens, every API needs a login, a client's token sees only that client's
 * projects (403 on others) and cannot decide a checkpoint, while a TO's token can.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { chromium } from 'playwright-core';
import { createIdentityToken } from '../../bot/console/console-access.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { openCheckpoint } from '../../orchestration/checkpoints/open-checkpoint.js';
import { jobCatalogue } from '../../orchestration/jobs/job-catalogue.js';
import { createJobQueue } from '../../bot/wiring/job-queue.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import { findFreePort } from '../../storage/free-port.js';
import type { Checkpoint, Store } from '../../ports/store.js';
import { createPostgresStore } from '../../storage/postgres/postgres-store.js';
import { cleanEnv, runCli, startCli, waitForStatus, type Running } from '../support/cli-process.js';

function workDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'olympus-console-access-'));
  chmodSync(dir, 0o755);
  return dir;
}

const ADMIN_TOKEN = 'admin-token-0123456789abcdef';
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../test-artifacts/console-access',
);

describe('console access', () => {
  test('bound to a non-loopback address without a token, olympus start refuses to start', async () => {
    const port = await findFreePort();
    const result = await runCli(['start'], {
      env: cleanEnv({ OLYMPUS_HTTP_HOST: '0.0.0.0', OLYMPUS_HTTP_PORT: String(port) }),
      cwd: workDir(),
      timeoutMs: 60_000,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('OLYMPUS_HTTP_HOST is 0.0.0.0');
    expect(result.stderr).toContain('OLYMPUS_CONSOLE_TOKEN');
  }, 90_000);

  test('a malformed OLYMPUS_CONSOLE_TOKENS entry is a configuration error naming the variable', async () => {
    const result = await runCli(['doctor'], {
      env: cleanEnv({ OLYMPUS_CONSOLE_TOKENS: 'alice@example.com=abc' }),
      cwd: workDir(),
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('OLYMPUS_CONSOLE_TOKENS');
  });

  test('olympus tokens create prints a token and an entry holding only its hash', async () => {
    const result = await runCli(['tokens', 'create', '--as', 'email:Alice@Example.com'], {
      env: cleanEnv(),
      cwd: workDir(),
    });
    expect(result.code).toBe(0);
    const token = /token: (\S+)/.exec(result.stdout)![1]!;
    const entry = /entry: (\S+)/.exec(result.stdout)![1]!;
    expect(entry).toMatch(/^email:alice@example\.com=[0-9a-f]{64}$/);
    expect(entry).not.toContain(token);
    const bad = await runCli(['tokens', 'create', '--as', 'alice'], { env: cleanEnv(), cwd: workDir() });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('is not a handle');
  });
});

describe('console access with tokens on a shared address', () => {
  let running: Running;
  let base: string;
  let env: NodeJS.ProcessEnv;
  let store: Store;
  let jobs: AgendaJobQueue;
  const cwd = workDir();
  const alice = createIdentityToken('email:alice@example.com');
  const bob = createIdentityToken('email:bob@example.com');
  const tina = createIdentityToken('console:tina');
  const logger = createSilentLogger();

  beforeAll(async () => {
    const port = await findFreePort();
    const pgPort = await findFreePort();
    env = cleanEnv({
      OLYMPUS_HTTP_HOST: '0.0.0.0',
      OLYMPUS_HTTP_PORT: String(port),
      OLYMPUS_URL: `http://127.0.0.1:${port}`,
      OLYMPUS_EMBEDDED_PG_PORT: String(pgPort),
      OLYMPUS_CONSOLE_TOKEN: ADMIN_TOKEN,
      OLYMPUS_CONSOLE_TOKENS: [alice.entry, bob.entry, tina.entry].join(','),
      OLYMPUS_OPERATORS: 'console:tina',
    });
    base = `http://127.0.0.1:${port}`;
    running = startCli(['start'], { env, cwd });
    await waitForStatus(`${base}/readyz`, 200, 90_000, running);
    const password = readFileSync(path.join(cwd, 'data', 'postgres.password'), 'utf8').trim();
    store = createPostgresStore({
      connectionString: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/olympus`,
    });
    jobs = createJobQueue({
      store,
      logger,
      settings: { processEvery: '1 second', maxConcurrency: 1, lockLimit: 1, lockLifetimeMs: 60_000 },
      shutdownTimeoutMs: 5000,
      catalogue: jobCatalogue({ store, logger }),
      work: false,
    });
    await jobs.start();
  }, 150_000);

  afterAll(async () => {
    await jobs?.stop();
    await store?.close();
    if (running && running.child.exitCode === null) {
      running.child.kill('SIGTERM');
      await running.exited;
    }
  });

  async function call(
    pathname: string,
    options: { token?: string; body?: unknown; cookie?: string } = {},
  ): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.cookie) headers.cookie = options.cookie;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${base}${pathname}`, {
      method: options.body === undefined ? 'GET' : 'POST',
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    return { status: response.status, body, headers: response.headers };
  }

  /** A confirmed project for `who`, through the console API with their own token (guided intake). */
  async function confirmedProject(token: string, who: string, title: string): Promise<string> {
    const first = await call('/api/console/messages', {
      token,
      body: {
        as: who,
        text: `Title: ${title}\nSummary: a tool for ${title}\nFeatures: export (must)\nDeadline: 2031-05-01\nBudget: 10,000 EUR`,
      },
    });
    expect(first.status).toBe(200);
    const done = await call('/api/console/messages', { token, body: { as: who, text: 'yes' } });
    expect(done.body.state).toBe('handed_off');
    return done.body.projectId as string;
  }

  test('without a valid token every API and the jobs dashboard answer 401', async () => {
    for (const pathname of [
      '/api/console/me',
      '/api/console/projects',
      '/api/console/checkpoints',
      '/api/console/events',
      '/api/ops/projects',
      '/jobs/',
    ]) {
      expect((await call(pathname)).status).toBe(401);
      expect((await call(pathname, { token: 'not-a-token' })).status).toBe(401);
    }
    const sent = await call('/api/console/messages', { body: { as: 'mallory@example.com', text: 'hi' } });
    expect(sent.status).toBe(401);
    // The page itself is served (it asks for a login); it holds no data.
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="app">');
  });

  test('the admin token sees everything; the command-line clients send it from the configuration', async () => {
    const me = await call('/api/console/me', { token: ADMIN_TOKEN });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ role: 'admin', via: 'admin_token' });
    expect((await call('/jobs/', { token: ADMIN_TOKEN })).status).not.toBe(401);
    const chat = await runCli(['chat', '--as', 'carol@example.com', 'We need an inventory tracker'], {
      env,
      cwd,
    });
    expect(chat.code).toBe(0);
    expect(chat.stdout).toContain('Hermes');
    const list = await runCli(['projects', 'list'], { env, cwd });
    expect(list.code).toBe(0);
    const anonymous = await runCli(['projects', 'list'], {
      env: { ...env, OLYMPUS_CONSOLE_TOKEN: undefined },
      cwd,
    });
    expect(anonymous.code).toBe(1);
  }, 60_000);

  test("a client's token sees only their projects (403 on others) and cannot decide", async () => {
    const aliceProject = await confirmedProject(alice.token, 'alice@example.com', 'Alice Shop');
    const bobProject = await confirmedProject(bob.token, 'bob@example.com', 'Bob Books');

    const mine = await call('/api/console/projects', { token: alice.token });
    expect((mine.body.projects as Array<{ id: string }>).map((p) => p.id)).toEqual([aliceProject]);
    expect((await call(`/api/console/projects/${aliceProject}`, { token: alice.token })).status).toBe(200);
    expect((await call(`/api/console/projects/${bobProject}`, { token: alice.token })).status).toBe(403);
    expect((await call(`/api/projects/${bobProject}`, { token: alice.token })).status).toBe(403);
    expect((await call(`/api/ops/projects/${bobProject}`, { token: alice.token })).status).toBe(403);
    expect((await call('/api/console/checkpoints', { token: alice.token })).status).toBe(403);
    expect((await call('/jobs/', { token: alice.token })).status).toBe(403);
    const asBob = await call('/api/console/messages', {
      token: alice.token,
      body: { as: 'bob@example.com', text: 'cancel everything' },
    });
    expect(asBob.status).toBe(403);

    const checkpoint: Checkpoint = await openCheckpoint({
      store,
      jobs,
      checkpoint: {
        projectId: aliceProject,
        kind: 'spend',
        requestedBy: 'apollo',
        request: {
          title: 'Buy a domain',
          summary: 'alice-shop.example for a year',
          details: { spend: { amount: 15, currency: 'EUR' } },
        },
      },
    });
    const hash = checkpoint.request.actionHash!;
    const refused = await call(`/api/console/checkpoints/${checkpoint.id}/decide`, {
      token: alice.token,
      body: { outcome: 'approved', actionHash: hash },
    });
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ status: 'refused', reason: 'not_allowed' });
    const viaOps = await call(`/api/ops/checkpoints/${checkpoint.id}/decide`, {
      token: alice.token,
      body: { as: 'console:tina', outcome: 'approved' },
    });
    expect(viaOps.status).toBe(403);
    expect((await store.checkpoints.get(checkpoint.id))!.status).toBe('pending');
    const audit = await store.audit.list({ subjectId: checkpoint.id });
    expect(audit.filter((event) => event.action === 'checkpoint.decision_refused')).toHaveLength(2);

    // A TO's token decides, through the same decision handler.
    const decided = await call(`/api/console/checkpoints/${checkpoint.id}/decide`, {
      token: tina.token,
      body: { outcome: 'rejected', actionHash: hash, reason: 'Use a subdomain' },
    });
    expect(decided.status).toBe(200);
    expect((await store.checkpoints.get(checkpoint.id))!.decision).toMatchObject({
      outcome: 'rejected',
      reason: 'Use a subdomain',
    });
    const tinaSees = await call('/api/console/projects', { token: tina.token });
    expect((tinaSees.body.projects as unknown[]).length).toBeGreaterThanOrEqual(2);
  }, 90_000);

  test('in the browser a client logs in and sees only their own project, without the ops channel', async () => {
    if (!existsSync(CHROMIUM)) {
      process.stderr.write(`console-access: ${CHROMIUM} is missing; browser check skipped\n`);
      return;
    }
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(base);
      await page.locator('form.login').waitFor();
      await page.fill('input[name=token]', 'wrong-token');
      await page.click('form.login button[type=submit]');
      await expect(page.locator('form.login .error').textContent()).resolves.toContain('not valid');
      await page.fill('input[name=token]', alice.token);
      await page.click('form.login button[type=submit]');
      await page.locator('.whoami', { hasText: '(client)' }).waitFor();
      expect(await page.locator('[data-tab=ops]').count()).toBe(0);
      expect(await page.locator('[data-tab=jobs]').count()).toBe(0);
      await expect(page.locator('.who').textContent()).resolves.toContain('alice@example.com');
      await page.click('[data-tab=projects]');
      await page.locator('.project-list button').first().waitFor();
      const titles = await page.locator('.project-list button strong').allTextContents();
      expect(titles).toEqual(['Alice Shop']);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'client-projects.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  }, 60_000);

  test('the web login sets an HttpOnly cookie that then identifies the person', async () => {
    const wrong = await call('/api/console/login', { body: { token: 'nope' } });
    expect(wrong.status).toBe(401);
    const login = await call('/api/console/login', { body: { token: bob.token } });
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/olympus_session=[^;]+; Path=\/; HttpOnly; SameSite=Strict/);
    const me = await call('/api/console/me', { cookie: cookie.split(';')[0]! });
    expect(me.body).toMatchObject({ role: 'client', via: 'identity_token' });
    expect((me.body.identity as { handles: string[] }).handles).toContain('email:bob@example.com');
  });
});
