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
    stdio: 'ignore',
  });
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (Date.now() > deadline) throw new Error('olympus start did not become ready');
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
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}
