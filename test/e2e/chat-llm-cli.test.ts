/**
 * `olympus chat` against a real `olympus start` whose LLM provider (OpenAI-compatible) is the scripted
 * server: a conversation reaches a confirmed brief stored with every required field, and every LLM call
 * has a ledger entry with tokens and cost (read from the same embedded PostgreSQL).
 */
import { chmodSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { BriefSchema, missingFields } from '../../agents/hermes/brief-schema.js';
import type { LlmIntakeTurn } from '../../agents/hermes/llm-intake-brain.js';
import { findFreePort } from '../../storage/free-port.js';
import type { Store } from '../../ports/store.js';
import { createPostgresStore } from '../../storage/postgres/postgres-store.js';
import { cleanEnv, runCli, startCli, waitForStatus, type Running } from '../support/cli-process.js';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.js';
import { intakeTurn } from '../support/scripted-project.js';

function workDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'olympus-chat-llm-'));
  // As root the embedded server runs as an unprivileged user, which must be able to reach ./data.
  chmodSync(dir, 0o755);
  return dir;
}

let running: Running;
let server: FakeLlmServer;
let env: NodeJS.ProcessEnv;
let base: string;
let pgPort: number;
let store: Store | null = null;
const cwd = workDir();

beforeAll(async () => {
  server = await startFakeLlmServer();
  const port = await findFreePort();
  pgPort = await findFreePort();
  env = cleanEnv({
    OLYMPUS_HTTP_PORT: String(port),
    OLYMPUS_EMBEDDED_PG_PORT: String(pgPort),
    OPENAI_API_KEY: 'sk-test-key',
    OPENAI_BASE_URL: server.openaiBaseUrl,
  });
  base = `http://127.0.0.1:${port}`;
  running = startCli(['start'], { env, cwd });
  await waitForStatus(`${base}/readyz`, 200, 60_000, running);
}, 90_000);

afterAll(async () => {
  await store?.close();
  if (running && running.child.exitCode === null) {
    running.child.kill('SIGTERM');
    await running.exited;
  }
  await server.close();
});

async function chat(text: string, ...flags: string[]): Promise<string> {
  const result = await runCli(['chat', '--as', 'alice@example.com', ...flags, text], { env, cwd });
  if (result.code !== 0) throw new Error(`olympus chat exited ${String(result.code)}: ${result.stderr}`);
  return result.stdout.trim();
}

const turn = (over: Partial<LlmIntakeTurn>) => intakeTurn(over);

describe('olympus chat with a language model', () => {
  test('a six-turn conversation ends in a confirmed brief; every LLM call is in the ledger', async () => {
    server.reply(
      turn({
        draftUpdates: { summary: 'A weekly email digest of sales numbers for the regional managers' },
        missing: ['title', 'features', 'deadline', 'budget'],
        reply:
          "Hello, I'm Hermes. A weekly sales digest for your regional managers, good. What should we call it, and which features does it need?",
      }),
    );
    const first = await chat(
      'Hi Hermes, we need a weekly email digest of our sales numbers for the regional managers',
    );
    expect(first).toContain('What should we call it');
    expect(first).not.toContain('without a language model');

    server.reply(
      turn({
        draftUpdates: {
          title: 'Sales Digest',
          features: [
            { name: 'email digest', priority: 'must' },
            { name: 'Slack summary', priority: 'should' },
            { name: 'PDF export', priority: 'could' },
          ],
        },
        missing: ['deadline', 'budget'],
        reply:
          '"Sales Digest" with three features, noted. When do you need it, and what budget do you have in mind?',
      }),
    );
    expect(
      await chat(
        'Call it Sales Digest. It must email the digest, should post a Slack summary, could export a PDF.',
      ),
    ).toContain('When do you need it');

    server.reply(
      turn({
        draftUpdates: { timeline: { deadline: '2031-03-15' }, budget: { amount: 12_000, currency: 'USD' } },
        reply: "Thanks, that's everything I need. Here's the brief for a check.",
      }),
    );
    const shown = await chat('By March 15, 2031, and the budget is $12k.');
    expect(shown).toContain('Title: Sales Digest');
    expect(shown).toContain('Budget: 12,000 USD');
    expect(shown).toContain('Is this right?');

    server.reply(
      turn({
        intent: 'correct',
        draftUpdates: { budget: { amount: 15_000, currency: 'USD' } },
        reply: 'Budget updated to 15,000 USD.',
      }),
    );
    const corrected = await chat('Make the budget 15k please');
    expect(corrected).toContain('Budget: 15,000 USD');
    expect(corrected).toContain('Is this right?');

    // Confirmation starts planning on the reasoning tier (gpt-4o); give it a queue of its own, left empty,
    // so the planner's calls fail (the project stays in planning) and never take the intake's replies.
    server.replyFor('gpt-4o');
    server.reply(turn({ intent: 'confirm', reply: 'Wonderful.' }));
    const confirmed = JSON.parse(await chat('Yes, looks good', '--json')) as {
      reply: string;
      state: string;
      projectId: string;
      conversationId: string;
    };
    expect(confirmed.state).toBe('handed_off');
    expect(confirmed.reply).toContain('handed it off');

    server.reply(turn({ intent: 'project_status', projectKey: 'sales-digest', reply: 'Let me look.' }));
    const status = await chat('How is the sales digest going?');
    expect(status).toContain('Status of "Sales Digest" (sales-digest): in planning, brief v1.');

    const response = await fetch(`${base}/api/projects/${confirmed.projectId}`);
    expect(response.status).toBe(200);
    const stored = (await response.json()) as {
      project: { key: string };
      briefs: Array<{ version: number; content: Record<string, unknown> }>;
    };
    expect(stored.project.key).toBe('sales-digest');
    expect(stored.briefs).toHaveLength(1);
    const brief = BriefSchema.parse(stored.briefs[0]!.content);
    expect(missingFields(brief)).toEqual([]);
    expect(brief).toMatchObject({
      title: 'Sales Digest',
      summary: 'A weekly email digest of sales numbers for the regional managers',
      timeline: { deadline: '2031-03-15' },
      budget: { amount: 15_000, currency: 'USD' },
    });
    expect(brief.features).toHaveLength(3);

    // Every request asked for the intake_turn schema.
    const requests = server.chatRequests().filter((request) => request.body.model === 'gpt-4o-mini');
    expect(requests).toHaveLength(6);
    for (const request of requests) {
      expect(request.body.response_format).toMatchObject({ json_schema: { name: 'intake_turn' } });
    }
    // The conversation went as chat turns: the client's messages verbatim, Hermes's replies between them.
    const sent = requests[5]!.body.messages as Array<{ role: string; content: string }>;
    expect(sent.slice(0, 2).map((message) => message.role)).toEqual(['system', 'system']);
    expect(sent.at(-1)).toEqual({ role: 'user', content: 'How is the sales digest going?' });
    expect(sent.filter((message) => message.role === 'user').map((message) => message.content)).toEqual([
      'Hi Hermes, we need a weekly email digest of our sales numbers for the regional managers',
      'Call it Sales Digest. It must email the digest, should post a Slack summary, could export a PDF.',
      'By March 15, 2031, and the budget is $12k.',
      'Make the budget 15k please',
      'Yes, looks good',
      'How is the sales digest going?',
    ]);
    for (const system of sent.slice(0, 2)) expect(system.content).not.toContain('sales digest going');

    // The ledger, read from the same database.
    const password = readFileSync(path.join(cwd, 'data', 'postgres.password'), 'utf8').trim();
    store = createPostgresStore({
      connectionString: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/olympus`,
    });
    const ledger = (await store.ledger.list()).filter((entry) => entry.meta.purpose === 'intake');
    expect(ledger).toHaveLength(requests.length);
    for (const entry of ledger) {
      expect(entry).toMatchObject({ kind: 'llm', provider: 'openai', model: 'gpt-4o-mini' });
      expect(entry.inputTokens).toBe(900);
      expect(entry.outputTokens).toBe(120);
      expect(entry.cost).toBeGreaterThan(0);
      expect(entry.meta.conversationId).toBe(confirmed.conversationId);
    }
    // The status call was about the stored project.
    expect(ledger.map((entry) => entry.projectId)).toEqual([
      null,
      null,
      null,
      null,
      null,
      confirmed.projectId,
    ]);
  }, 120_000);
});
