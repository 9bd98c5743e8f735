/**
 * `run_command`: runs a shell command in the project's workspace. Offered only when the configuration
 * enables it (OLYMPUS_AGENT_SHELL). The command runs with the workspace as its directory and home, a
 * time limit, and an environment of a minimal PATH and nothing else: no secret of this process reaches it.
 */
import { spawn } from 'node:child_process';
import { z } from 'zod';
import type { ProjectWorkspace } from '../workspace/project-workspace.js';
import type { AgentTool } from './agent-tool.js';

const MAX_OUTPUT = 16_000;
export const SHELL_PATH = '/usr/local/bin:/usr/bin:/bin';

export interface ShellSettings {
  enabled: boolean;
  timeoutMs: number;
}

export function shellEnvironment(root: string): NodeJS.ProcessEnv {
  return { PATH: SHELL_PATH, HOME: root, LANG: 'C.UTF-8' };
}

export function runCommandTool(
  workspace: ProjectWorkspace,
  settings: ShellSettings,
): AgentTool<{ command: string }> {
  return {
    name: 'run_command',
    description: `Runs a shell command (sh -c) in the project's workspace, e.g. to run tests. Time limit ${Math.round(
      settings.timeoutMs / 1000,
    )} s; no network credentials or secrets are available.`,
    schema: z.object({ command: z.string().trim().min(1).max(2000) }).strict(),
    async run(args, context) {
      await workspace.ensure();
      const result = await runShell(args.command, workspace.root, settings.timeoutMs, context.signal);
      return { kind: 'result', content: JSON.stringify(result), changed: ['.'] };
    },
  };
}

export function runShell(
  command: string,
  cwd: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<{ exitCode: number | null; timedOut: boolean; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], {
      cwd,
      env: shellEnvironment(cwd),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    let timedOut = false;
    const collect = (chunk: Buffer) => {
      if (output.length < MAX_OUTPUT) output += chunk.toString('utf8');
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    const kill = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    signal?.addEventListener('abort', kill, { once: true });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', kill);
      resolve({
        exitCode: code,
        timedOut,
        output: output.length > MAX_OUTPUT ? `${output.slice(0, MAX_OUTPUT)}\n[output truncated]` : output,
      });
    });
  });
}
