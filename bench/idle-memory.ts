/** Resident memory of one idle `olympus start` (the embedded PostgreSQL, a separate process, not counted). */
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { findFreePort } from '../storage/free-port.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bot/cli.js');

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (!kb) throw new Error('no VmRSS');
  return Number(kb) * 1024;
}

export async function benchIdleMemory(settleMs: number): Promise<{ rssMb: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'olympus-bench-'));
  chmodSync(dir, 0o755);
  const port = await findFreePort();
  const child = spawn(process.execPath, [CLI, 'start'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      OLYMPUS_HTTP_PORT: String(port),
      OLYMPUS_LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  const keep = (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const output = () => errors.trim() || '(no output)';
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`olympus start exited early (${child.exitCode ?? child.signalCode}): ${output()}`);
      }
      if (Date.now() > deadline) throw new Error(`olympus start did not become ready: ${output()}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return { rssMb: rssBytes(child.pid!) / 1024 / 1024 };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * RSS of `olympus start` on a shared PostgreSQL (DATABASE_URL) when idle, then after `load` stored 1,000
 * projects with 10 tasks each through the store port and the orchestrator's sweep went over them.
 */
export async function benchLoadedMemory(
  databaseUrl: string,
  load: () => Promise<void>,
  settleMs: number,
): Promise<{ idleMb: number; loadedMb: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'olympus-bench-'));
  chmodSync(dir, 0o755);
  const port = await findFreePort();
  const child = spawn(process.execPath, [CLI, 'start'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      OLYMPUS_HTTP_PORT: String(port),
      OLYMPUS_LOG_LEVEL: 'warn',
      DATABASE_URL: databaseUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let errors = '';
  const keep = (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const output = () => errors.trim() || '(no output)';
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`olympus start exited early (${child.exitCode ?? child.signalCode}): ${output()}`);
      }
      if (Date.now() > deadline) throw new Error(`olympus start did not become ready: ${output()}`);
      const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    const idleMb = rssBytes(child.pid!) / 1024 / 1024;
    await load();
    await new Promise((resolve) => setTimeout(resolve, settleMs));
    return { idleMb, loadedMb: rssBytes(child.pid!) / 1024 / 1024 };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
