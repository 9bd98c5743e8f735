/**
 * The git adapter of the project workspaces (the only file that imports simple-git). Every commit names
 * its author and committer on the command line (`-c user.name=… -c user.email=…`), so no global git
 * identity is read or needed; signing is off and commits skip hooks (`--no-verify`).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { SimpleGit } from 'simple-git';

export interface GitIdentity {
  name: string;
  email: string;
}

export interface GitCommit {
  hash: string;
  authorName: string;
  authorEmail: string;
  at: Date;
  message: string;
}

const run = promisify(execFile);
const FIELD = '\x1f';
const RECORD = '\x1e';

export class GitRepository {
  private client: SimpleGit | null = null;

  constructor(readonly dir: string) {}

  /**
   * simple-git checks that its directory exists, so it is made on first use (after the directory); the
   * library itself is loaded then too, so a process that never touches a workspace does not carry it.
   */
  private async git(): Promise<SimpleGit> {
    if (this.client === null) {
      const { simpleGit } = await import('simple-git');
      this.client ??= simpleGit({ baseDir: this.dir, maxConcurrentProcesses: 2, trimmed: false });
    }
    return this.client;
  }

  /** Creates the repository (branch `main`) with a first empty commit unless it has one already. */
  async ensure(initialAuthor: GitIdentity, message: string): Promise<void> {
    if (!existsSync(path.join(this.dir, '.git'))) {
      await (await this.git()).raw(['init', '--quiet', '--initial-branch=main']);
    }
    const head = await (await this.git()).raw(['rev-parse', '--verify', '--quiet', 'HEAD']).catch(() => '');
    if (head.trim() === '') {
      await (
        await this.git()
      ).raw([...identity(initialAuthor), 'commit', '--quiet', '--allow-empty', '-m', message]);
    }
  }

  /** Whether some commit's message contains this exact trailer line. */
  async hasTrailer(trailer: string): Promise<boolean> {
    const out = await (
      await this.git()
    ).raw(['log', '--all', '--fixed-strings', `--grep=${trailer}`, '--format=%H']);
    return out.trim().length > 0;
  }

  /** Paths (of those given) that differ from HEAD, untracked ones included. */
  async changed(paths: string[]): Promise<string[]> {
    if (paths.length === 0) return [];
    const out = await (
      await this.git()
    ).raw(['status', '--porcelain', '-z', '--untracked-files=all', '--', ...paths]);
    return out
      .split('\0')
      .filter((entry) => entry.length > 3)
      .map((entry) => entry.slice(3));
  }

  /** One commit of exactly these paths, authored and committed by `author`. */
  async commit(paths: string[], author: GitIdentity, message: string): Promise<string> {
    await (await this.git()).raw(['add', '--all', '--', ...paths]);
    await (
      await this.git()
    ).raw([...identity(author), 'commit', '--quiet', '--no-verify', '-m', message, '--', ...paths]);
    return (await (await this.git()).raw(['rev-parse', 'HEAD'])).trim();
  }

  /**
   * Paths that commits whose message holds `grep` (a fixed string) added, changed or deleted, sorted;
   * a path is named once however many of those commits touched it.
   */
  async filesOfCommits(grep: string): Promise<string[]> {
    const out = await (
      await this.git()
    ).raw(['log', '--fixed-strings', `--grep=${grep}`, '--name-only', '--format=', '-z']);
    return [...new Set(out.split(/[\0\n]/).filter((file) => file.length > 0))].sort();
  }

  /**
   * The files of HEAD as a gzipped tar archive, every path under `prefix/` (git's own archive: the binary
   * output is read as bytes, which simple-git's text output cannot carry).
   */
  async archive(prefix: string, maxBytes: number): Promise<Buffer> {
    const { stdout } = await run('git', ['archive', '--format=tar.gz', `--prefix=${prefix}/`, 'HEAD'], {
      cwd: this.dir,
      encoding: 'buffer',
      maxBuffer: maxBytes,
    });
    return stdout;
  }

  /** Commits, newest first. */
  async log(): Promise<GitCommit[]> {
    const format = ['%H', '%an', '%ae', '%aI', '%B'].join(FIELD) + RECORD;
    const out = await (await this.git()).raw(['log', `--format=${format}`]);
    return out
      .split(RECORD)
      .map((record) => record.replace(/^\n+/, ''))
      .filter((record) => record.length > 0)
      .map((record) => {
        const [hash = '', authorName = '', authorEmail = '', at = '', message = ''] = record.split(FIELD);
        return { hash, authorName, authorEmail, at: new Date(at), message: message.trim() };
      });
  }
}

function identity(who: GitIdentity): string[] {
  return ['-c', `user.name=${who.name}`, '-c', `user.email=${who.email}`, '-c', 'commit.gpgsign=false'];
}
