/** Resident memory of one `olympus start` (the embedded PostgreSQL, a separate process, not counted). */
import { spawn, type ChildProcess } from 'node:child_process';
import { killOnExit } from './child-processes.js';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../bot/runtime-flags.js';
import { findFreePort } from '../storage/free-port.js';

const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../bot/cli.js');

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (!kb) throw new Error('no VmRSS');
  return Number(kb) * 1024;
}

const rssMb = (child: ChildProcess) => rssBytes(child.pid!) / 1024 / 1024;
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs `measure` against an `olympus start` in a fresh directory, once it is ready and has settled; stops
 * it and removes the directory afterwards, whatever happens.
 */
async function withOlympus<T>(
  env: Record<string, string>,
  settleMs: number,
  measure: (child: ChildProcess) => Promise<T>,
): Promise<T> {
  const dir = mkdtempSync(path.join(tmpdir(), 'olympus-bench-'));
  chmodSync(dir, 0o755);
  const port = await findFreePort();
  const child = killOnExit(
    spawn(process.execPath, [...NODE_FLAGS, CLI, 'start'], {
      cwd: dir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        OLYMPUS_HTTP_PORT: String(port),
        OLYMPUS_LOG_LEVEL: 'warn',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
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
      await pause(100);
    }
    await pause(settleMs);
    return await measure(child);
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

const BASELINE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'bolt-agenda-idle.js');

/** RSS of a bare Bolt + Agenda process (bolt-agenda-idle.ts) on `databaseUrl`, idle after `settleMs`. */
export async function benchBoltAgendaIdle(databaseUrl: string, settleMs: number): Promise<{ rssMb: number }> {
  const child = killOnExit(
    spawn(process.execPath, [BASELINE, databaseUrl], { stdio: ['ignore', 'pipe', 'pipe'] }),
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-2000)));
  try {
    const deadline = Date.now() + 30_000;
    while (!output.includes('ready')) {
      if (child.exitCode !== null)
        throw new Error(`bolt + agenda baseline exited: ${output || '(no output)'}`);
      if (Date.now() > deadline) throw new Error('bolt + agenda baseline did not start');
      await pause(50);
    }
    await pause(settleMs);
    return { rssMb: rssMb(child) };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  }
}

/** RSS of one idle `olympus start` with the embedded defaults. */
export function benchIdleMemory(settleMs: number): Promise<{ rssMb: number }> {
  return withOlympus({}, settleMs, (child) => Promise.resolve({ rssMb: rssMb(child) }));
}

/**
 * RSS of `olympus start` on a shared PostgreSQL (DATABASE_URL) when idle, then after `load` stored 1,000
 * projects with 10 tasks each through the store port and the orchestrator's sweep went over them.
 */
export function benchLoadedMemory(
  databaseUrl: string,
  load: () => Promise<void>,
  settleMs: number,
): Promise<{ idleMb: number; loadedMb: number }> {
  return withOlympus(
    { DATABASE_URL: databaseUrl, OLYMPUS_MASTER_KEY: randomBytes(32).toString('hex') },
    settleMs,
    async (child) => {
      const idleMb = rssMb(child);
      await load();
      await pause(settleMs);
      return { idleMb, loadedMb: rssMb(child) };
    },
  );
}
