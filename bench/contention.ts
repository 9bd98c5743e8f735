/**
 * A fixed, bounded background load for the contended mode: one process spinning one core, and one bare
 * Agenda worker on the bench's PostgreSQL draining 2,000 jobs at a time (background-load.ts), both
 * stopped at the end. What they did and the load average are reported with the figures.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { killOnExit } from './child-processes.js';

const LOAD_SCRIPT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), 'background-load.js');

export interface Contention {
  /** Stops both processes; returns the jobs the worker ran and the 1-minute load average before stopping. */
  stop(): Promise<{ jobsRun: number; loadAverage: number }>;
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

export async function startContention(connectionString: string): Promise<Contention> {
  // One core, busy, in slices so it stays killable and its share is fixed.
  const burner = killOnExit(
    spawn(process.execPath, ['-e', 'for (;;) { const end = Date.now() + 50; while (Date.now() < end); }'], {
      stdio: 'ignore',
    }),
  );
  const worker = killOnExit(
    spawn(process.execPath, [LOAD_SCRIPT, connectionString], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let output = '';
  let errors = '';
  worker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  worker.stderr.on('data', (chunk: Buffer) => (errors = (errors + chunk.toString()).slice(-2000)));
  const deadline = Date.now() + 30_000;
  while (!output.includes('ready')) {
    if (worker.exitCode !== null) throw new Error(`background worker exited: ${errors || '(no output)'}`);
    if (Date.now() > deadline) throw new Error('background worker did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  // Let the load reach its steady state before anything is measured.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  return {
    async stop() {
      const loadAverage = loadavg()[0]!;
      burner.kill('SIGKILL');
      worker.kill('SIGTERM');
      await Promise.all([exited(burner), exited(worker)]);
      const last = output.trim().split('\n').pop() ?? '{}';
      const jobsRun = (JSON.parse(last.startsWith('{') ? last : '{}') as { ran?: number }).ran ?? 0;
      return { jobsRun, loadAverage };
    },
  };
}
