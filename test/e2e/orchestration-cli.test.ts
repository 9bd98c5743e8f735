/**
 * The whole path through the product as its users drive it: a real `olympus start` whose LLM provider is
 * the scripted server. A client confirms a brief with `olympus chat`; the planner proposes 4 tasks over 4
 * roles; a TO (named in `OLYMPUS_OPERATORS`) approves the plan with `olympus checkpoints decide`; the
 * agents work through their tool loop in dependency order, each committing to the project's workspace;
 * the project completes and the client is told in their conversation.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Workspaces } from '../../agents/workspace/project-workspace.js';
import { findFreePort } from '../../storage/free-port.js';
import {
  TEST_MASTER_KEY,
  cleanEnv,
  runCli,
  startCli,
  waitForStatus,
  type Running,
} from '../support/cli-process.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { startFakeLlmServer, type FakeLlmServer, type ScriptedReply } from '../support/fake-llm-server.js';
import { until } from '../support/until.js';
import { briefThenConfirm, FOUR_TASK_PLAN } from '../support/scripted-project.js';

type Message = { role: string; content?: string | null };
const messagesOf = (body: Record<string, unknown>) => (body.messages ?? []) as Message[];

/** Each agent writes a file in its first step, then finishes. */
function agentScript(body: Record<string, unknown>): ScriptedReply | undefined {
  if (!Array.isArray(body.tools)) return undefined;
  const messages = messagesOf(body);
  const key = /"key": "([a-z0-9-]+)"/.exec(messages[1]?.content ?? '')?.[1] ?? 'unknown';
  const step = messages.filter((m) => m.role === 'assistant').length;
  if (step === 0) {
    return {
      toolCalls: [{ name: 'write_file', arguments: { path: `${key}/NOTES.md`, content: `# ${key}\n` } }],
    };
  }
  return {
    toolCalls: [
      {
        name: 'finish',
        arguments: { summary: `${key} delivered.`, artifacts: [{ kind: 'file', ref: `${key}/NOTES.md` }] },
      },
    ],
  };
}

let db: EmbeddedStore;
let llm: FakeLlmServer;
let running: Running;
let env: NodeJS.ProcessEnv;
const cwd = mkdtempSync(path.join(tmpdir(), 'olympus-orch-cli-'));
chmodSync(cwd, 0o755);

beforeAll(async () => {
  db = await startEmbeddedStore();
  llm = await startFakeLlmServer();
  const port = await findFreePort();
  env = cleanEnv({
    OLYMPUS_HTTP_PORT: String(port),
    DATABASE_URL: db.connectionString,
    OLYMPUS_MASTER_KEY: TEST_MASTER_KEY,
    OPENAI_API_KEY: 'sk-test-key',
    OPENAI_BASE_URL: llm.openaiBaseUrl,
    OLYMPUS_LLM_MAX_ATTEMPTS: '1',
    OLYMPUS_OPERATORS: 'email:tina@ops.example.com',
  });
  running = startCli(['start'], { env, cwd });
  await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 60_000, running);
}, 120_000);

afterAll(async () => {
  if (running && running.child.exitCode === null) {
    running.child.kill('SIGTERM');
    await running.exited;
  }
  await llm?.close();
  await db?.teardown();
});

async function olympus(...args: string[]): Promise<string> {
  const result = await runCli(args, { env, cwd });
  if (result.code !== 0)
    throw new Error(`olympus ${args.join(' ')} exited ${String(result.code)}: ${result.stderr}`);
  return result.stdout;
}

describe('a project carried through the CLI', () => {
  test('brief → 4 tasks over 4 roles → approved with `olympus checkpoints decide` → agents commit in order → complete', async () => {
    llm.replyFor('gpt-4o', { content: JSON.stringify(FOUR_TASK_PLAN) });
    llm.respond(agentScript);
    llm.reply(
      ...briefThenConfirm({
        title: 'Route Planner',
        summary: 'Plans delivery routes for our vans',
        features: [{ name: 'route map', priority: 'must' }],
        timeline: { deadline: '2031-09-01' },
        budget: { amount: 20_000, currency: 'USD' },
      }),
    );
    await olympus('chat', '--as', 'rita@example.com', 'Route Planner for our vans, by September 2031, $20k');
    expect(await olympus('chat', '--as', 'rita@example.com', 'yes')).toContain('Confirmed');

    const project = await until(() => db.store.projects.getByKey('route-planner'));
    const review = await until(async () =>
      (await db.store.checkpoints.list({ projectId: project.id, status: ['pending'] })).find(
        (checkpoint) => checkpoint.kind === 'plan_review',
      ),
    );
    const pending = await olympus('checkpoints', 'list', '--pending');
    expect(pending).toContain(review.id);
    await olympus('checkpoints', 'decide', review.id, 'approve', '--as', 'tina@ops.example.com');

    await until(async () => (await db.store.projects.get(project.id))?.status === 'completed', 90_000);
    const tasks = await db.store.tasks.listByProject(project.id);
    expect(tasks).toHaveLength(4);
    expect(new Set(tasks.map((t) => t.role)).size).toBeGreaterThanOrEqual(3);
    expect(tasks.every((t) => t.status === 'done')).toBe(true);

    // Dependency order by the audit trail's timestamps and sequence.
    const events = await until(async () => {
      const all = await db.store.audit.list();
      return all.some((e) => e.action === 'project.completed' && e.subjectId === project.id) ? all : null;
    });
    const at = (action: string, key: string) =>
      events.find((e) => e.action === action && e.data.key === key && e.data.projectId === project.id)!;
    for (const planned of FOUR_TASK_PLAN.tasks) {
      for (const dependency of planned.dependsOn) {
        expect(at('task.done', dependency).at.getTime()).toBeLessThanOrEqual(
          at('task.started', planned.key).at.getTime(),
        );
        expect(at('task.done', dependency).seq).toBeLessThan(at('task.started', planned.key).seq);
      }
    }

    // A commit from each agent in the project's workspace under the server's data directory.
    const stored = (await db.store.projects.get(project.id))!;
    const log = await new Workspaces(path.join(cwd, 'data')).forProject(stored).log();
    const authors = new Set(log.map((commit) => commit.authorName));
    for (const agent of ['Apollo', 'Aphrodite', 'Athena', 'Hephaestus']) expect(authors).toContain(agent);

    // The client is told in their conversation, and `olympus tasks list` shows the finished work.
    const conversations = await db.store.conversations.listByIdentity(stored.ownerId);
    const told = await until(async () => {
      const fresh = await db.store.conversations.get(conversations[0]!.id);
      return fresh?.messages.find(
        (m) => m.from === 'hermes' && m.text.includes('"Route Planner" is complete'),
      );
    });
    expect(told.text).toContain('All 4 tasks are done');
    expect(await olympus('tasks', 'list', 'route-planner')).toMatch(/deploy\s+hephaestus\s+done/);
  });
});
