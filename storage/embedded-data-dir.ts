/**
 * The embedded PostgreSQL's data directory: its password file, a stale `postmaster.pid` left by a crash,
 * a half-created cluster, and (as root) access for the `postgres` user. Used by embedded.ts.
 */
import { existsSync } from 'node:fs';
import { chmod, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

/** The cluster's superuser password: made once, before initdb, and kept (mode 600) beside the cluster. */
export async function clusterPassword(
  dataDir: string,
  clusterDir: string,
  initialised: boolean,
): Promise<string> {
  const file = path.join(dataDir, 'postgres.password');
  try {
    const stored = (await readFile(file, 'utf8')).trim();
    if (stored) return stored;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  if (initialised) {
    throw new Error(
      `the PostgreSQL cluster in ${clusterDir} exists but its password file ${file} is missing: ` +
        'restore the file, or delete the cluster directory to start afresh',
    );
  }
  const password = randomBytes(24).toString('hex');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * A `postmaster.pid` left by a crash blocks the start when its pid now belongs to another process (pids
 * are reused, in containers especially). Remove it unless that pid is a live server on this directory.
 */
export async function clearStalePidFile(clusterDir: string, log: (line: string) => void): Promise<void> {
  const file = path.join(clusterDir, 'postmaster.pid');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return;
  }
  const lines = text.split('\n');
  const pid = Number(lines[0]);
  const port = lines[3]?.trim() || 'unknown';
  if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) {
    const commandLine = await readCommandLine(pid);
    if (commandLine === null) return; // No /proc here: leave the decision to PostgreSQL's own check.
    if (commandLine.includes('postgres') && commandLine.includes(clusterDir)) {
      throw new Error(
        `the embedded PostgreSQL data directory ${clusterDir} is in use by a running server ` +
          `(pid ${pid}, port ${port}); stop it (or the Olympus that started it) first`,
      );
    }
  }
  log(`removing stale ${file} (pid ${lines[0] ?? '?'} is not a PostgreSQL server on this directory)`);
  await rm(file, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readCommandLine(pid: number): Promise<string | null> {
  try {
    return (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0').join(' ');
  } catch {
    return existsSync('/proc/self') ? '' : null;
  }
}

/** initdb refuses a non-empty directory: say so plainly instead of letting it fail obscurely. */
export async function assertNoPartialCluster(clusterDir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(clusterDir);
  } catch {
    return;
  }
  if (entries.length > 0) {
    throw new Error(
      `${clusterDir} is not empty but holds no PostgreSQL cluster (no PG_VERSION; an interrupted first start?): ` +
        'move it away or delete it, then start again',
    );
  }
}

/** As root the server runs as the `postgres` user, which must be able to reach the data directory. */
export async function letPostgresUserIn(dataDir: string, log: (line: string) => void): Promise<void> {
  const { mode } = await stat(dataDir);
  if ((mode & 0o001) === 0) {
    await chmod(dataDir, (mode & 0o7777) | 0o001);
    log(`made ${dataDir} traversable (o+x) for the postgres user`);
  }
  for (let dir = path.dirname(dataDir); dir !== path.dirname(dir); dir = path.dirname(dir)) {
    const parent = await stat(dir);
    if ((parent.mode & 0o001) === 0) {
      throw new Error(
        `the postgres user cannot reach ${dataDir}: ${dir} is not traversable by others (chmod o+x it)`,
      );
    }
  }
}
