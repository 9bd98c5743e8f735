/**
 * The LLM router with the real `openai` and `ollama` clients against scripted servers on loopback, and a
 * real embedded PostgreSQL for the ledger.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { checkProviders, createLlmRouter } from '../../agents/llm/create-llm-router.js';
import type { LlmRouter } from '../../agents/llm/llm-router.js';
import { loadConfig, type Config } from '../../bot/config/load-config.js';
import { hasCode, type OlympusError } from '../../common/errors.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { closedPortUrl, startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.js';

const logger = createSilentLogger();
const hello = [{ role: 'user' as const, content: 'Hello' }];

async function failure(promise: Promise<unknown>): Promise<OlympusError> {
  try {
    await promise;
  } catch (error) {
    return error as OlympusError;
  }
  throw new Error('expected the call to fail');
}

describe('LLM router', () => {
  let db: EmbeddedStore;
  const servers: FakeLlmServer[] = [];

  beforeAll(async () => {
    db = await startEmbeddedStore();
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.close()));
  });
  afterAll(async () => {
    await db.teardown();
  });

  async function fake(): Promise<FakeLlmServer> {
    const server = await startFakeLlmServer();
    servers.push(server);
    return server;
  }

  function configFor(env: Record<string, string>): Config {
    return loadConfig({ env, cwd: mkdtempSync(path.join(tmpdir(), 'olympus-llm-')) });
  }

  function routerFor(env: Record<string, string>): LlmRouter {
    return createLlmRouter({
      config: configFor(env),
      store: db.store,
      logger,
      retry: { baseDelayMs: 5, maxDelayMs: 20 },
    });
  }

  const cloudEnv = (server: FakeLlmServer | string) => ({
    OPENAI_API_KEY: 'sk-test-key',
    OPENAI_BASE_URL: typeof server === 'string' ? `${server}/v1` : server.openaiBaseUrl,
  });
  const localEnv = (server: FakeLlmServer | string) => ({
    OLLAMA_HOST: typeof server === 'string' ? server : server.url,
  });

  test('with no provider configured the router is not available and says so', async () => {
    const router = routerFor({});
    expect(router.available).toBe(false);
    const error = await failure(router.chat({ tier: 'fast', messages: hello }));
    expect(hasCode(error, 'LLM_UNAVAILABLE')).toBe(true);
    expect(error.userMessage).toContain('No language model is configured');
    expect(await checkProviders(configFor({}))).toEqual([]);
  });

  test('prefers the local provider and records a ledger entry with tokens and zero cost', async () => {
    const local = await fake();
    const cloud = await fake();
    local.reply({ content: 'Hi from llama', inputTokens: 12, outputTokens: 7 });
    const router = routerFor({ ...localEnv(local), ...cloudEnv(cloud) });
    const projectId = randomUUID();
    const answer = await router.chat({
      tier: 'fast',
      messages: hello,
      projectId,
      taskId: 't-1',
      temperature: 0.2,
    });
    expect(answer).toMatchObject({
      text: 'Hi from llama',
      provider: 'ollama',
      inputTokens: 12,
      outputTokens: 7,
    });
    expect(cloud.chatRequests()).toHaveLength(0);
    const [request] = local.chatRequests();
    expect(request!.path).toBe('/api/chat');
    expect(request!.body).toMatchObject({ model: 'llama3.2', stream: false, options: { temperature: 0.2 } });
    const entries = await db.store.ledger.list({ projectId });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      kind: 'llm',
      provider: 'ollama',
      model: 'llama3.2',
      inputTokens: 12,
      outputTokens: 7,
      cost: 0,
      currency: 'USD',
      taskId: 't-1',
      meta: { tier: 'fast', attempts: 1, localOnly: false },
    });
    expect(entries[0]!.latencyMs).toBeGreaterThanOrEqual(0);
  });

  test('cloud cost comes from the price table (configured prices override the defaults)', async () => {
    const cloud = await fake();
    cloud.reply({ content: 'deep thought', inputTokens: 2000, outputTokens: 1000 });
    const router = routerFor({
      ...cloudEnv(cloud),
      OLYMPUS_LLM_PRICES: '{"gpt-4o":{"input":3,"output":12}}',
    });
    const projectId = randomUUID();
    const answer = await router.chat({ tier: 'reasoning', messages: hello, projectId });
    expect(answer).toMatchObject({ provider: 'openai', cost: 0.018, currency: 'USD' });
    const [request] = cloud.chatRequests();
    expect(request!.headers.authorization).toBe('Bearer sk-test-key');
    expect(request!.body.model).toBe('gpt-4o');
    const [entry] = await db.store.ledger.list({ projectId });
    expect(entry).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o',
      inputTokens: 2000,
      outputTokens: 1000,
    });
    expect(entry!.cost).toBeCloseTo(0.018, 10);
    expect(await db.store.ledger.totalCost(projectId)).toBeCloseTo(0.018, 10);
  });

  test('a tier may prefer the cloud', async () => {
    const local = await fake();
    const cloud = await fake();
    cloud.reply({ content: 'from the cloud' });
    const router = routerFor({
      ...localEnv(local),
      ...cloudEnv(cloud),
      OLYMPUS_LLM_TIERS: '{"hard":{"ollama":"qwen2.5:14b","openai":"gpt-4o","prefer":"cloud"}}',
    });
    expect((await router.chat({ tier: 'hard', messages: hello })).provider).toBe('openai');
    expect(local.chatRequests()).toHaveLength(0);
  });

  test('429 with Retry-After is retried after at least that long, then succeeds', async () => {
    const cloud = await fake();
    cloud.reply({ status: 429, error: 'slow down', headers: { 'retry-after': '1' } }, { content: 'ok now' });
    const router = routerFor(cloudEnv(cloud));
    const projectId = randomUUID();
    const answer = await router.chat({ tier: 'fast', messages: hello, projectId });
    expect(answer.text).toBe('ok now');
    const requests = cloud.chatRequests();
    expect(requests).toHaveLength(2);
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(1000);
    const [entry] = await db.store.ledger.list({ projectId });
    expect(entry!.meta).toMatchObject({ attempts: 2 });
  });

  test('an Ollama 503 with Retry-After as an HTTP date is honoured too', async () => {
    const local = await fake();
    const until = new Date(Date.now() + 2000).toUTCString();
    local.reply(
      { status: 503, error: 'loading model', headers: { 'retry-after': until } },
      { content: 'loaded' },
    );
    const router = routerFor(localEnv(local));
    const answer = await router.chat({ tier: 'fast', messages: hello });
    expect(answer.text).toBe('loaded');
    const requests = local.chatRequests();
    expect(requests).toHaveLength(2);
    // An HTTP date has whole-second precision: the wait reaches at least the start of that second.
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(until));
  });

  test('5xx is retried up to the attempt limit, then the other provider takes over', async () => {
    const local = await fake();
    const cloud = await fake();
    local.reply({ status: 500 }, { status: 502 });
    cloud.reply({ content: 'cloud saves the day' });
    const router = routerFor({ ...localEnv(local), ...cloudEnv(cloud), OLYMPUS_LLM_MAX_ATTEMPTS: '2' });
    const answer = await router.chat({ tier: 'fast', messages: hello });
    expect(answer).toMatchObject({ provider: 'openai', text: 'cloud saves the day' });
    expect(local.chatRequests()).toHaveLength(2);
    expect(cloud.chatRequests()).toHaveLength(1);
  });

  test('a 4xx is not retried; the other provider is tried', async () => {
    const local = await fake();
    const cloud = await fake();
    local.reply({ status: 404, error: 'model "llama3.2" not found' });
    cloud.reply({ content: 'fine' });
    const router = routerFor({ ...localEnv(local), ...cloudEnv(cloud) });
    expect((await router.chat({ tier: 'fast', messages: hello })).provider).toBe('openai');
    expect(local.chatRequests()).toHaveLength(1);
  });

  test('a provider that is down (closed port) falls back to the other', async () => {
    const cloud = await fake();
    cloud.reply({ content: 'still here' });
    const router = routerFor({ ...localEnv(await closedPortUrl()), ...cloudEnv(cloud) });
    const answer = await router.chat({ tier: 'fast', messages: hello });
    expect(answer).toMatchObject({ provider: 'openai', text: 'still here' });

    const local = await fake();
    local.reply({ content: 'local answers' });
    const other = routerFor({
      ...localEnv(local),
      ...cloudEnv(await closedPortUrl()),
      OLYMPUS_LLM_TIERS: '{"fast":{"ollama":"llama3.2","openai":"gpt-4o-mini","prefer":"cloud"}}',
    });
    expect((await other.chat({ tier: 'fast', messages: hello })).provider).toBe('ollama');
  });

  test('a request past the time limit is abandoned and the other provider answers', async () => {
    const local = await fake();
    const cloud = await fake();
    local.reply({ content: 'too late', delayMs: 5000 });
    cloud.reply({ content: 'in time' });
    const router = routerFor({
      ...localEnv(local),
      ...cloudEnv(cloud),
      OLYMPUS_LLM_TIMEOUT_MS: '200',
      OLYMPUS_LLM_MAX_ATTEMPTS: '1',
    });
    const answer = await router.chat({ tier: 'fast', messages: hello });
    expect(answer).toMatchObject({ provider: 'openai', text: 'in time' });
    expect(local.chatRequests()).toHaveLength(1);
  });

  test('a caller that gives up stops the call: no retry and no fallback', async () => {
    const local = await fake();
    const cloud = await fake();
    local.reply({ status: 429, headers: { 'retry-after': '30' } });
    const router = routerFor({ ...localEnv(local), ...cloudEnv(cloud) });
    const controller = new AbortController();
    const pending = failure(router.chat({ tier: 'fast', messages: hello, signal: controller.signal }));
    while (local.chatRequests().length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    const error = await pending;
    expect(hasCode(error, 'LLM_UNAVAILABLE')).toBe(true);
    expect(local.chatRequests()).toHaveLength(1);
    expect(cloud.requests).toHaveLength(0);
  });

  test('when every provider fails the error is retryable and polite', async () => {
    const router = routerFor({ ...localEnv(await closedPortUrl()), ...cloudEnv(await closedPortUrl()) });
    const error = await failure(router.chat({ tier: 'fast', messages: hello }));
    expect(hasCode(error, 'LLM_UNAVAILABLE')).toBe(true);
    expect(error.retryable).toBe(true);
    expect(error.userMessage).toContain("I'll get back to you");
    expect(error.message).toContain('ollama');
    expect(error.message).toContain('openai');
  });

  test('local-only work never reaches the cloud, whatever the tier', async () => {
    const local = await fake();
    const cloud = await fake();
    local.reply({ content: 'kept local' });
    const router = routerFor({
      ...localEnv(local),
      ...cloudEnv(cloud),
      OLYMPUS_LLM_TIERS: '{"hard":{"ollama":"qwen2.5:14b","openai":"gpt-4o","prefer":"cloud"}}',
    });
    const project = { id: randomUUID(), localOnly: true };
    const answer = await router.chat({ tier: 'hard', messages: hello, project });
    expect(answer.provider).toBe('ollama');
    const [entry] = await db.store.ledger.list({ projectId: project.id });
    expect(entry!.meta).toMatchObject({ localOnly: true });
    expect(cloud.requests).toHaveLength(0);
  });

  test('local-only work fails clearly when Ollama is down, and the cloud is never asked', async () => {
    const cloud = await fake();
    const router = routerFor({ ...localEnv(await closedPortUrl()), ...cloudEnv(cloud) });
    const error = await failure(router.chat({ tier: 'fast', messages: hello, client: { localOnly: true } }));
    expect(hasCode(error, 'LLM_LOCAL_ONLY')).toBe(true);
    expect(error.retryable).toBe(true);
    expect(error.userMessage).toContain('waits');
    expect(error.userMessage).toContain('Nothing was sent to a cloud service');
    expect(cloud.requests).toHaveLength(0);
  });

  test('local-only work with only a cloud provider configured fails without a request', async () => {
    const cloud = await fake();
    const router = routerFor(cloudEnv(cloud));
    expect(router.canServe('fast', { localOnly: true })).toBe(false);
    const error = await failure(router.chat({ tier: 'fast', messages: hello, localOnly: true }));
    expect(hasCode(error, 'LLM_LOCAL_ONLY')).toBe(true);
    expect(cloud.requests).toHaveLength(0);
  });

  test('an unknown tier is a configuration error naming the variable', async () => {
    const local = await fake();
    const error = await failure(routerFor(localEnv(local)).chat({ tier: 'galactic', messages: hello }));
    expect(hasCode(error, 'CONFIG_INVALID')).toBe(true);
    expect(error.message).toContain('OLYMPUS_LLM_TIERS');
  });

  test('tool calls go out and come back through both providers', async () => {
    const tools = [
      {
        name: 'lookup_project',
        description: 'Find a project by key',
        parameters: { type: 'object', properties: { key: { type: 'string' } }, required: ['key'] },
      },
    ];
    for (const which of ['ollama', 'openai'] as const) {
      const server = await fake();
      server.reply(
        { toolCalls: [{ name: 'lookup_project', arguments: { key: 'digest' } }] },
        { content: 'done' },
      );
      const router = routerFor(which === 'ollama' ? localEnv(server) : cloudEnv(server));
      const first = await router.chat({ tier: 'fast', messages: hello, tools });
      expect(first.toolCalls).toHaveLength(1);
      const call = first.toolCalls[0]!;
      expect(call).toMatchObject({ name: 'lookup_project', arguments: { key: 'digest' } });
      const second = await router.chat({
        tier: 'fast',
        tools,
        messages: [
          ...hello,
          { role: 'assistant', content: '', toolCalls: first.toolCalls },
          { role: 'tool', content: '{"status":"running"}', toolCallId: call.id, toolName: call.name },
        ],
      });
      expect(second.text).toBe('done');
      const [out, back] = server.chatRequests();
      const sentTools = out!.body.tools as { function: { name: string } }[];
      expect(sentTools[0]!.function.name).toBe('lookup_project');
      const messages = back!.body.messages as Record<string, unknown>[];
      expect(messages[2]).toMatchObject(
        which === 'openai'
          ? { role: 'tool', tool_call_id: call.id }
          : { role: 'tool', tool_name: 'lookup_project' },
      );
    }
  });

  test('checkProviders reports each configured provider, one line each', async () => {
    const local = await fake();
    const lines = await checkProviders(configFor({ ...localEnv(local), ...cloudEnv(await closedPortUrl()) }));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ provider: 'ollama', locality: 'local', ok: true });
    expect(lines[0]!.detail).toContain('2 models');
    expect(lines[1]).toMatchObject({ provider: 'openai', locality: 'cloud', ok: false });
    expect(lines[1]!.detail).toContain('ECONNREFUSED');
    const router = routerFor(localEnv(local));
    expect((await router.checkProviders())[0]!.ok).toBe(true);
  });
});
