import { chmodSync, existsSync, mkdtempSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { getPriority, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { cleanEnv, runCli, startCli, waitForStatus } from '../support/cli-process.js';
import { findFreePort } from '../../storage/free-port.js';
import { closedPortUrl, startFakeLlmServer } from '../support/fake-llm-server.js';
import { until } from '../support/until.js';

function workDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'olympus-cli-'));
  // As root the embedded server runs as an unprivileged user, which must be able to reach ./data.
  chmodSync(dir, 0o755);
  return dir;
}

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('olympus command', () => {
  test('every command has --help', async () => {
    for (const args of [
      ['--help'],
      ['start', '--help'],
      ['bot', '--help'],
      ['worker', '--help'],
      ['doctor', '--help'],
    ]) {
      const result = await runCli(args, { env: cleanEnv() });
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage: olympus');
    }
  });

  test('a start with an invalid variable exits with a message naming it', async () => {
    const result = await runCli(['start'], { env: cleanEnv({ OLYMPUS_HTTP_PORT: 'abc' }), cwd: workDir() });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      'OLYMPUS_HTTP_PORT: expected a TCP port number from 1 to 65535, got "abc"',
    );
  });

  test('doctor with an unreachable DATABASE_URL exits non-zero and says which part failed and why', async () => {
    const port = await findFreePort();
    const url = `postgres://olympus:doctor-secret-pw@127.0.0.1:${port}/olympus`;
    const result = await runCli(['doctor'], {
      env: cleanEnv({ DATABASE_URL: url, OLYMPUS_MASTER_KEY: 'a'.repeat(64) }),
      cwd: workDir(),
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/FAIL store: PostgreSQL \(DATABASE_URL\): .*ECONNREFUSED/);
    expect(result.stdout).toContain('DATABASE_URL = ******');
    expect(result.stderr).toContain('unreachable: store');
    expect(result.stdout + result.stderr).not.toContain('doctor-secret-pw');
  });

  test('doctor checks each configured LLM provider, one line each, failing on an unreachable one', async () => {
    const llm = await startFakeLlmServer();
    try {
      const down = await closedPortUrl();
      const env = cleanEnv({
        OLLAMA_HOST: llm.url,
        OPENAI_API_KEY: 'sk-doctor-test-key-123456',
        OPENAI_BASE_URL: `${down}/v1`,
      });
      const result = await runCli(['doctor'], { env, cwd: workDir() });
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/ok {3}llm ollama \(local\): /);
      expect(result.stdout).toMatch(/FAIL llm openai \(cloud\): /);
      expect(result.stderr).toContain('unreachable: llm openai (cloud)');
      expect(result.stdout + result.stderr).not.toContain('sk-doctor-test-key-123456');
    } finally {
      await llm.close();
    }
  });

  test('doctor with no configuration reports the embedded store and exits 0', async () => {
    const result = await runCli(['doctor'], { env: cleanEnv(), cwd: workDir() });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('ok   store: embedded PostgreSQL');
    expect(result.stdout).toContain('--   slack: skipped');
  });

  test('worker comes up without an HTTP server and stops on SIGTERM', async () => {
    const running = startCli(['worker'], { env: cleanEnv(), cwd: workDir() });
    const deadline = Date.now() + 45_000;
    while (!running.output().includes('"message":"olympus is up"')) {
      if (running.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`worker did not come up:\n${running.output()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(running.output()).toContain('"mode":"worker"');
    expect(running.output()).not.toContain('http server listening');
    // Once up, the worker runs 10 nice steps below where it was started (OLYMPUS_WORKER_NICE's default).
    const lowered = Math.min(19, getPriority() + 10);
    await until(() => Promise.resolve(getPriority(running.child.pid) === lowered), 10_000);
    expect(running.output()).toContain('"worker priority lowered"');
    running.child.kill('SIGTERM');
    expect(await running.exited).toBe(0);
  }, 60_000);

  test('worker with OLYMPUS_WORKER_HTTP_PORT serves health, readiness and metrics, but no console', async () => {
    const port = await findFreePort();
    const running = startCli(['worker'], {
      env: cleanEnv({ OLYMPUS_WORKER_HTTP_PORT: String(port), OLYMPUS_WORKER_NICE: '0' }),
      cwd: workDir(),
    });
    try {
      await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 45_000, running);
      // OLYMPUS_WORKER_NICE=0: the worker keeps the priority it was started with.
      expect(getPriority(running.child.pid)).toBe(getPriority());
      expect(running.output()).not.toContain('worker priority lowered');
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(metrics).toContain('# TYPE olympus_jobs_queued gauge');
      expect((await fetch(`http://127.0.0.1:${port}/api/console/messages`, { method: 'POST' })).status).toBe(
        404,
      );
    } finally {
      running.child.kill('SIGTERM');
      expect(await running.exited).toBe(0);
    }
  }, 60_000);

  test('start with no configuration comes up, stops on SIGTERM and SIGINT, and reuses ./data', async () => {
    const cwd = workDir();
    // No configuration at all: default port 3000 unless something else on this machine holds it.
    const env = (await portIsFree(3000))
      ? cleanEnv()
      : cleanEnv({ OLYMPUS_HTTP_PORT: String(await findFreePort()) });
    const base = `http://127.0.0.1:${env.OLYMPUS_HTTP_PORT ?? '3000'}`;
    const pgDir = path.join(cwd, 'data', 'postgres');

    const clusterIds: number[] = [];
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const running = startCli(['start'], { env, cwd });
      await waitForStatus(`${base}/readyz`, 200, 45_000, running);
      const health = await fetch(`${base}/healthz`);
      expect(health.status).toBe(200);
      const ready = (await (await fetch(`${base}/readyz`)).json()) as {
        checks: Record<string, { ok: boolean }>;
      };
      expect(ready.checks).toEqual({ store: { ok: true }, scheduler: { ok: true } });
      expect(existsSync(path.join(pgDir, 'postmaster.pid'))).toBe(true);

      const stopAsked = Date.now();
      running.child.kill(signal);
      const code = await running.exited;
      const stopMs = Date.now() - stopAsked;
      if (code !== 0) throw new Error(`exit code ${String(code)} after ${signal}:\n${running.output()}`);
      expect(stopMs).toBeLessThan(10_000); // the "within a few seconds"; typical is far less
      expect(existsSync(path.join(pgDir, 'postmaster.pid'))).toBe(false);
      expect(running.output()).toContain('"message":"store ready"');
      clusterIds.push(statSync(path.join(pgDir, 'PG_VERSION')).ino);
    }
    // The second start reused the cluster made by the first instead of creating a new one.
    expect(clusterIds[1]).toBe(clusterIds[0]);
  }, 120_000);
});
