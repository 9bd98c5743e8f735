/**
 * A project's workspace: one git repository per project under `<data dir>/workspaces/<project key>`.
 * Agents read, write and list files in it (paths confined by workspace-paths.ts); each finished loop
 * step that changed files becomes one commit by the agent, with an `Olympus-Step: <task id>/<step>`
 * trailer. A step replayed after a crash finds its trailer and does not commit again.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { OlympusError } from '../../common/errors.js';
import { GitRepository, type GitCommit, type GitIdentity } from './git-repository.js';
import { resolveInside } from './workspace-paths.js';

export const OLYMPUS_GIT_IDENTITY: GitIdentity = { name: 'Olympus', email: 'olympus@agents.olympus.local' };
/** Largest file an agent may read or write. */
export const MAX_FILE_BYTES = 256 * 1024;
const MAX_LISTED = 500;

export interface StepCommit {
  taskId: string;
  step: number;
  author: GitIdentity;
  /** Subject line of the commit. */
  subject: string;
  /** Workspace-relative paths the step wrote. */
  paths: string[];
}

export function stepTrailer(taskId: string, step: number): string {
  return `${taskTrailer(taskId)}${step}`;
}

/** What every step trailer of one task starts with. */
function taskTrailer(taskId: string): string {
  return `Olympus-Step: ${taskId}/`;
}

/** Commits to one repository are serialised within the process (git's index takes one writer). */
const queues = new Map<string, Promise<unknown>>();
function serialised<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const next = previous.then(work, work);
  const settled = next.catch(() => undefined);
  queues.set(key, settled);
  void settled.then(() => {
    if (queues.get(key) === settled) queues.delete(key);
  });
  return next;
}

export class ProjectWorkspace {
  private readonly repo: GitRepository;
  private ready: Promise<void> | null = null;

  constructor(
    readonly root: string,
    private readonly title: string,
  ) {
    this.repo = new GitRepository(root);
  }

  /** Creates the directory and repository on first use. */
  ensure(): Promise<void> {
    this.ready ??= serialised(this.root, async () => {
      await mkdir(this.root, { recursive: true });
      await withGitRetry(() => this.repo.ensure(OLYMPUS_GIT_IDENTITY, `Workspace of ${this.title}`));
    }).catch((error: unknown) => {
      this.ready = null;
      throw error;
    });
    return this.ready;
  }

  async read(given: string): Promise<{ path: string; content: string }> {
    await this.ensure();
    const { relative, absolute } = await resolveInside(this.root, given);
    const info = await stat(absolute).catch(() => null);
    if (!info || !info.isFile())
      throw new OlympusError('VALIDATION', `no file "${relative}" in the workspace`);
    if (info.size > MAX_FILE_BYTES)
      throw new OlympusError(
        'VALIDATION',
        `"${relative}" is ${info.size} bytes; the limit is ${MAX_FILE_BYTES}`,
      );
    return { path: relative, content: await readFile(absolute, 'utf8') };
  }

  async write(given: string, content: string): Promise<{ path: string; bytes: number }> {
    await this.ensure();
    const bytes = Buffer.byteLength(content, 'utf8');
    if (bytes > MAX_FILE_BYTES)
      throw new OlympusError('VALIDATION', `content is ${bytes} bytes; the limit is ${MAX_FILE_BYTES}`);
    const { relative, absolute } = await resolveInside(this.root, given);
    if (relative === '.') throw new OlympusError('VALIDATION', 'a file path is needed');
    try {
      await mkdir(path.dirname(absolute), { recursive: true });
      // The directories just made may not be links, but check again in case one was swapped in.
      await resolveInside(this.root, relative);
      await writeFile(absolute, content, 'utf8');
    } catch (error) {
      throw asPathProblem(error, relative);
    }
    return { path: relative, bytes };
  }

  /** Files under a directory (recursive, `.git` left out), workspace-relative, sorted. */
  async list(given = '.'): Promise<string[]> {
    await this.ensure();
    const { relative, absolute } = await resolveInside(this.root, given);
    const info = await stat(absolute).catch(() => null);
    if (!info) return [];
    if (!info.isDirectory()) return [relative];
    const entries = await readdir(absolute, { recursive: true, withFileTypes: true });
    return entries
      .filter((entry) => entry.isFile())
      .map((entry) =>
        path.relative(this.root, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'),
      )
      .filter((file) => !file.startsWith('.git/'))
      .sort()
      .slice(0, MAX_LISTED);
  }

  /**
   * Commits what the step changed, once: nothing when the step's trailer is in the history already or
   * nothing changed. Returns the new commit's hash, or null.
   */
  commitStep(step: StepCommit): Promise<string | null> {
    return serialised(this.root, async () => {
      await this.ensure();
      const trailer = stepTrailer(step.taskId, step.step);
      return withGitRetry(async () => {
        if (await this.repo.hasTrailer(trailer)) return null;
        const changed = await this.repo.changed([...new Set(step.paths)]);
        if (changed.length === 0) return null;
        return this.repo.commit(changed, step.author, `${step.subject}\n\n${trailer}\n`);
      });
    });
  }

  log(): Promise<GitCommit[]> {
    return this.repo.log();
  }

  /** Workspace paths the task's steps committed (its commits carry the task's step trailer). */
  async filesOfTask(taskId: string): Promise<string[]> {
    if (!existsSync(path.join(this.root, '.git'))) return [];
    return this.repo.filesOfCommits(taskTrailer(taskId));
  }

  /**
   * Every file of the workspace as it stands (HEAD), as a .tar.gz under a folder named `folder`; null
   * when there is no workspace yet. Refused (VALIDATION) when it would exceed `maxBytes`.
   */
  async archive(folder: string, maxBytes: number): Promise<Buffer | null> {
    if (!existsSync(path.join(this.root, '.git'))) return null;
    return serialised(this.root, async () => {
      try {
        return await this.repo.archive(folder, maxBytes);
      } catch (error) {
        if ((error as { code?: unknown }).code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER')
          throw new OlympusError('VALIDATION', `the workspace archive is larger than ${maxBytes} bytes`, {
            cause: error,
          });
        throw error;
      }
    });
  }
}

/** A file-system refusal the agent can act on (a directory in the way, a name too long…) as VALIDATION. */
function asPathProblem(error: unknown, relative: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^E(ISDIR|NOTDIR|NAMETOOLONG|EXIST|ACCES|PERM)$/.test(code)) return error;
  return new OlympusError('VALIDATION', `cannot write "${relative}" (${code})`, { cause: error });
}

/** A lock file older than this was left by a git process that died (a crashed worker). */
const STALE_LOCK_MS = 10_000;

/**
 * Another process may hold a git lock for a moment: try again a few times. A lock left behind by a git
 * process that was killed is removed once it is clearly stale.
 */
async function withGitRetry<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const lock = /'([^']+\.lock)'/.exec(message)?.[1];
      if (attempt >= 40 || !lock || !/File exists|Unable to create/.test(message)) throw error;
      const info = await stat(lock).catch(() => null);
      if (info && Date.now() - info.mtimeMs > STALE_LOCK_MS) await unlink(lock).catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 50 * attempt)));
    }
  }
}

/** Opens project workspaces under `<data dir>/workspaces`. */
export class Workspaces {
  private readonly open = new Map<string, ProjectWorkspace>();

  constructor(readonly dataDir: string) {}

  dirOf(projectKey: string): string {
    if (!/^[a-z0-9][a-z0-9._-]{0,99}$/i.test(projectKey) || projectKey.includes('..'))
      throw new OlympusError('VALIDATION', `project key "${projectKey}" cannot name a workspace directory`);
    return path.join(path.resolve(this.dataDir), 'workspaces', projectKey);
  }

  forProject(project: { key: string; title: string }): ProjectWorkspace {
    const dir = this.dirOf(project.key);
    let workspace = this.open.get(dir);
    if (!workspace) {
      workspace = new ProjectWorkspace(dir, project.title);
      this.open.set(dir, workspace);
    }
    return workspace;
  }
}
