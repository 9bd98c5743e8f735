/** `olympus chat` against a real `olympus start` (built dist/, embedded PostgreSQL, no LLM configured). */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { BriefSchema, missingFields } from '../../agents/hermes/brief-schema.js';
import { findFreePort } from '../../storage/free-port.js';
import { cleanEnv, runCli, startCli, waitForStatus, type Running } from '../support/cli-process.js';

function workDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'olympus-chat-'));
  // As root the embedded server runs as an unprivileged user, which must be able to reach ./data.
  chmodSync(dir, 0o755);
  return dir;
}

let running: Running;
let env: NodeJS.ProcessEnv;
let base: string;
const cwd = workDir();

beforeAll(async () => {
  const port = await findFreePort();
  env = cleanEnv({ OLYMPUS_HTTP_PORT: String(port) });
  base = `http://127.0.0.1:${port}`;
  running = startCli(['start'], { env, cwd });
  await waitForStatus(`${base}/readyz`, 200, 60_000, running);
}, 90_000);

afterAll(async () => {
  if (running && running.child.exitCode === null) {
    running.child.kill('SIGTERM');
    await running.exited;
  }
});

async function chat(text: string, ...flags: string[]): Promise<string> {
  const result = await runCli(['chat', '--as', 'alice@example.com', ...flags, text], { env, cwd });
  if (result.code !== 0) throw new Error(`olympus chat exited ${String(result.code)}: ${result.stderr}`);
  return result.stdout.trim();
}

describe('olympus chat (guided mode)', () => {
  test('a conversation reaches a confirmed brief stored with every required field; status comes from stored state', async () => {
    const first = await chat(
      'Hi Hermes, we need a weekly email digest of our sales numbers for the regional managers',
    );
    expect(first).toContain('without a language model');
    expect(first).toContain('What should we call the project?');
    expect(await chat('Sales Digest')).toContain('Which features does it need?');
    expect(await chat('email digest (must), slack summary (should), PDF export (could)')).toContain(
      'When do you need it delivered?',
    );
    expect(await chat('by March 15, 2031')).toContain('What budget are we working with?');
    const shown = await chat('$12k');
    expect(shown).toContain("Here's the brief");
    expect(shown).toContain('Budget: 12,000 USD');
    const corrected = await chat('change budget to 15k');
    expect(corrected).toContain('Budget: 15,000 USD');
    expect(corrected).toContain('Is this right?');

    const confirmed = JSON.parse(await chat('yes', '--json')) as {
      reply: string;
      state: string;
      projectId: string;
    };
    expect(confirmed.state).toBe('handed_off');
    expect(confirmed.reply).toContain('handed it off');

    const response = await fetch(`${base}/api/projects/${confirmed.projectId}`);
    expect(response.status).toBe(200);
    const stored = (await response.json()) as {
      project: { key: string; status: string };
      briefs: Array<{ version: number; content: Record<string, unknown> }>;
    };
    expect(stored.project.key).toBe('sales-digest');
    expect(stored.briefs).toHaveLength(1);
    const brief = BriefSchema.parse(stored.briefs[0]!.content);
    expect(missingFields(brief)).toEqual([]);
    expect(brief).toMatchObject({
      title: 'Sales Digest',
      summary: 'we need a weekly email digest of our sales numbers for the regional managers',
      timeline: { deadline: '2031-03-15' },
      budget: { amount: 15_000, currency: 'USD' },
    });
    expect(brief.features).toEqual([
      { name: 'email digest', priority: 'must' },
      { name: 'slack summary', priority: 'should' },
      { name: 'PDF export', priority: 'could' },
    ]);

    const status = await chat('How is my sales digest project going?');
    expect(status).toContain('Status of "Sales Digest" (sales-digest): in planning, brief v1.');
    expect(status).toContain('No tasks have been planned yet');
    expect(status).toContain('Nothing is waiting for an operator decision.');
  }, 120_000);

  test('without a running server it says how to start one and exits 1', async () => {
    const port = await findFreePort();
    const result = await runCli(['chat', '--as', 'alice@example.com', 'hello'], {
      env: cleanEnv({ OLYMPUS_URL: `http://127.0.0.1:${port}` }),
      cwd,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`cannot reach the Olympus server at http://127.0.0.1:${port}`);
    expect(result.stderr).toContain('olympus start');
  });

  test('chat has --help and needs --as', async () => {
    const help = await runCli(['chat', '--help'], { env: cleanEnv() });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: olympus chat');
    const missing = await runCli(['chat', 'hello'], { env: cleanEnv() });
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("required option '--as <email>'");
  });
});
