/** Runs the built `olympus` command as a child process, as a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODE_FLAGS } from '../../bot/runtime-flags.js';

export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist/bot/cli.js');

/**
 * A vault master key for the processes of one test file: every process on a shared store (DATABASE_URL,
 * MONGODB_URI) must hold the same OLYMPUS_MASTER_KEY, or it refuses to start.
 */
export const TEST_MASTER_KEY = randomBytes(32).toString('hex');

/** The parent's environment without any Olympus setting, so a test controls all of them. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (
      /^(OLYMPUS_|DATABASE_URL|MONGODB_URI|SLACK_|DISCORD_|OPENAI_|OLLAMA_|IMAP_|SMTP_|GCP_|NODE_OPTIONS|NODE_ENV)/.test(
        key,
      )
    )
      continue;
    env[key] = value;
  }
  return { ...env, OLYMPUS_LOG_FORMAT: 'json', ...extra };
}

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(
  args: string[],
  options: {
    env: NodeJS.ProcessEnv;
    cwd?: string;
    timeoutMs?: number;
    /** Written to stdin, then closed. */
    input?: string;
  },
): Promise<Finished> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...NODE_FLAGS, CLI, ...args], {
      env: options.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    // stdin is closed at once (EOF, as with no input), after `input` when there is one.
    child.stdin.end(options.input ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`olympus ${args.join(' ')} did not finish\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 30_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface Running {
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

export function startCli(args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): Running {
  const child = spawn(process.execPath, [...NODE_FLAGS, CLI, ...args], {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** Polls `url` until it answers `status`, or fails after `timeoutMs`. */
export async function waitForStatus(
  url: string,
  status: number,
  timeoutMs: number,
  running?: Running,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (running && running.child.exitCode !== null)
      throw new Error(`process exited early:\n${running.output()}`);
    try {
      const response = await fetch(url);
      last = `HTTP ${response.status}`;
      if (response.status === status) return;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})\n${running?.output() ?? ''}`,
  );
}
