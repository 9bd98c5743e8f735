/**
 * Metrics, traces and configured roles on a real `olympus start` with the scripted LLM server: a client
 * conversation confirms a brief, the planner opens a plan_review checkpoint, and a TO named only in
 * `OLYMPUS_OPERATORS` decides it through the CLI. `/metrics` shows the checkpoint and LLM families move,
 * and the spans exported over OTLP/HTTP to a loopback collector link the message to its LLM call and the
 * planning job to its own.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
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
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.js';
import { until } from '../support/until.js';
import { briefThenConfirm, FOUR_TASK_PLAN } from '../support/scripted-project.js';

interface ExportedSpan {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

/** An OTLP/HTTP collector on loopback: keeps every span it receives (JSON encoding). */
async function startCollector() {
  const spans: ExportedSpan[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url === '/v1/traces') {
        const parsed = JSON.parse(body) as {
          resourceSpans: { scopeSpans: { spans: ExportedSpan[] }[] }[];
        };
        for (const resource of parsed.resourceSpans)
          for (const scope of resource.scopeSpans) spans.push(...scope.spans);
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function sample(text: string, name: string, labels: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name}{${labels}}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}

let db: EmbeddedStore;
let llm: FakeLlmServer;
let collector: Awaited<ReturnType<typeof startCollector>>;
let running: Running;
let env: NodeJS.ProcessEnv;
let base: string;
const cwd = mkdtempSync(path.join(tmpdir(), 'olympus-observe-'));
chmodSync(cwd, 0o755);

beforeAll(async () => {
  db = await startEmbeddedStore();
  llm = await startFakeLlmServer();
  collector = await startCollector();
  const port = await findFreePort();
  base = `http://127.0.0.1:${port}`;
  env = cleanEnv({
    OLYMPUS_HTTP_PORT: String(port),
    DATABASE_URL: db.connectionString,
    OLYMPUS_MASTER_KEY: TEST_MASTER_KEY,
    OPENAI_API_KEY: 'sk-test-key',
    OPENAI_BASE_URL: llm.openaiBaseUrl,
    OLYMPUS_LLM_MAX_ATTEMPTS: '1',
    OLYMPUS_OPERATORS: 'email:tina@ops.example.com',
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
  });
  running = startCli(['start'], { env, cwd });
  await waitForStatus(`${base}/readyz`, 200, 60_000, running);
}, 120_000);

afterAll(async () => {
  if (running && running.child.exitCode === null) {
    running.child.kill('SIGTERM');
    await running.exited;
  }
  await collector?.close();
  await llm?.close();
  await db?.teardown();
});

async function olympus(...args: string[]) {
  const result = await runCli(args, { env, cwd });
  if (result.code !== 0) throw new Error(`olympus ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
}

describe('observability and configured roles', () => {
  test('a brief, its plan and a TO decision move the checkpoint and LLM metrics, and spans are exported', async () => {
    const before = await (await fetch(`${base}/metrics`)).text();
    expect(sample(before, 'olympus_checkpoints_opened_total', 'kind="plan_review"')).toBe(0);

    llm.replyFor('gpt-4o', {
      content: JSON.stringify(FOUR_TASK_PLAN),
      inputTokens: 2000,
      outputTokens: 400,
    });
    llm.reply(
      ...briefThenConfirm(
        {
          title: 'Metrics Demo',
          summary: 'A small service to show metrics',
          features: [{ name: 'dashboard', priority: 'must' }],
          timeline: { deadline: '2031-06-01' },
          budget: { amount: 9000, currency: 'USD' },
        },
        { inputTokens: 800, outputTokens: 100 },
      ),
    );
    await olympus('chat', '--as', 'mia@example.com', 'Metrics Demo: a small service, by June 2031, $9k');
    expect(await olympus('chat', '--as', 'mia@example.com', 'yes')).toContain('Confirmed');

    const project = await until(() => db.store.projects.getByKey('metrics-demo'));
    const review = await until(async () =>
      (await db.store.checkpoints.list({ projectId: project.id })).find((c) => c.kind === 'plan_review'),
    );
    // The TO exists only through OLYMPUS_OPERATORS; the CLI decides through the running server.
    const tina = await db.store.identities.findByHandle({
      surface: 'email',
      externalId: 'tina@ops.example.com',
    });
    expect(tina?.role).toBe('to');
    await olympus(
      'checkpoints',
      'decide',
      review.id,
      'reject',
      '--as',
      'tina@ops.example.com',
      '--reason',
      'Too big for now',
    );

    const after = await until(async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return sample(text, 'olympus_checkpoints_decided_total', 'kind="plan_review",outcome="rejected"') === 1
        ? text
        : null;
    });
    expect(sample(after, 'olympus_checkpoints_opened_total', 'kind="plan_review"')).toBe(1);
    expect(sample(after, 'olympus_checkpoint_decision_latency_seconds_count', 'kind="plan_review"')).toBe(1);
    expect(
      sample(after, 'olympus_llm_tokens_total', 'provider="openai",model="gpt-4o-mini",direction="input"'),
    ).toBe(1600);
    expect(
      sample(after, 'olympus_llm_tokens_total', 'provider="openai",model="gpt-4o",direction="output"'),
    ).toBe(400);
    expect(sample(after, 'olympus_llm_cost_total', 'provider="openai",model="gpt-4o"')).toBeGreaterThan(0);

    // Spans: each intake message is the parent of its LLM call; the planning job is the parent of its own.
    const spans = await until(async () => {
      await Promise.resolve();
      const names = new Set(collector.spans.map((span) => span.name));
      return names.has('job project.plan') && names.has('intake.message') ? collector.spans : null;
    });
    const byId = new Map(spans.map((span) => [span.spanId, span]));
    const ancestors = (span: ExportedSpan): string[] => {
      const names: string[] = [];
      for (let at = byId.get(span.parentSpanId ?? ''); at; at = byId.get(at.parentSpanId ?? ''))
        names.push(at.name);
      return names;
    };
    const llmCalls = spans.filter((span) => span.name === 'llm.call');
    expect(llmCalls.filter((span) => ancestors(span).includes('intake.message'))).toHaveLength(2);
    expect(llmCalls.filter((span) => ancestors(span).includes('job project.plan'))).toHaveLength(1);
    for (const call of llmCalls) {
      const parent = byId.get(call.parentSpanId ?? '');
      expect(parent?.traceId).toBe(call.traceId);
    }
  });
});
