/**
 * Structured output through the real clients: the schema goes out as JSON schema, answers are validated,
 * a bad answer is repaired once, and every call (repairs included) has a ledger entry.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { z } from 'zod';
import { createLlmRouter } from '../../agents/llm/create-llm-router.js';
import type { LlmRouter } from '../../agents/llm/llm-router.js';
import { generateStructured } from '../../agents/llm/structured-output.js';
import { loadConfig } from '../../bot/config/load-config.js';
import { hasCode, type OlympusError } from '../../common/errors.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.js';

const turnSchema = z.object({
  intent: z.enum(['new_project', 'project_status', 'other']),
  reply: z.string(),
  missing: z.array(z.string()),
});

const messages = [
  { role: 'system' as const, content: 'You are Hermes.' },
  { role: 'user' as const, content: 'I need a weekly digest bot.' },
];
const good = { intent: 'new_project', reply: 'Tell me more.', missing: ['budget'] };

describe('structured output', () => {
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

  async function setup(which: 'ollama' | 'openai'): Promise<{ server: FakeLlmServer; router: LlmRouter }> {
    const server = await startFakeLlmServer();
    servers.push(server);
    const env: Record<string, string> =
      which === 'ollama'
        ? { OLLAMA_HOST: server.url }
        : { OPENAI_API_KEY: 'sk-test-key', OPENAI_BASE_URL: server.openaiBaseUrl };
    const config = loadConfig({ env, cwd: mkdtempSync(path.join(tmpdir(), 'olympus-llm-')) });
    return { server, router: createLlmRouter({ config, store: db.store, logger: createSilentLogger() }) };
  }

  const call = (router: LlmRouter, projectId: string) =>
    generateStructured(router, {
      tier: 'fast',
      messages,
      schema: turnSchema,
      schemaName: 'intake_turn',
      projectId,
    });

  test('valid JSON comes back typed; OpenAI gets a json_schema response format', async () => {
    const { server, router } = await setup('openai');
    server.reply({ content: JSON.stringify(good), inputTokens: 100, outputTokens: 20 });
    const projectId = randomUUID();
    const result = await call(router, projectId);
    expect(result.data).toEqual(good);
    expect(result.repaired).toBe(false);
    const [request] = server.chatRequests();
    expect(request!.body.response_format).toMatchObject({
      type: 'json_schema',
      json_schema: {
        name: 'intake_turn',
        schema: { type: 'object', required: ['intent', 'reply', 'missing'] },
      },
    });
    const [entry] = await db.store.ledger.list({ projectId });
    expect(entry).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini',
      inputTokens: 100,
      outputTokens: 20,
    });
    expect(entry!.cost).toBeCloseTo((100 * 0.15 + 20 * 0.6) / 1e6, 12);
    expect(entry!.meta).toMatchObject({ structured: 'intake_turn' });
  });

  test('Ollama gets the schema as `format`', async () => {
    const { server, router } = await setup('ollama');
    server.reply({ content: JSON.stringify(good) });
    expect((await call(router, randomUUID())).data).toEqual(good);
    const [request] = server.chatRequests();
    expect(request!.body.format).toMatchObject({
      type: 'object',
      properties: { intent: { enum: ['new_project', 'project_status', 'other'] } },
    });
  });

  test('broken JSON is sent back once with the error and the repair is accepted', async () => {
    const { server, router } = await setup('ollama');
    server.reply(
      { content: '{"intent": "new_project", "reply": "Tell me' },
      { content: JSON.stringify(good) },
    );
    const projectId = randomUUID();
    const result = await call(router, projectId);
    expect(result).toMatchObject({ data: good, repaired: true });
    const [, repair] = server.chatRequests();
    const sent = repair!.body.messages as { role: string; content: string }[];
    expect(sent).toHaveLength(4);
    expect(sent[2]).toEqual({ role: 'assistant', content: '{"intent": "new_project", "reply": "Tell me' });
    expect(sent[3]!.role).toBe('user');
    expect(sent[3]!.content).toContain('not valid JSON');
    const entries = await db.store.ledger.list({ projectId });
    expect(entries).toHaveLength(2);
    expect(entries[1]!.meta).toMatchObject({ repair: true });
  });

  test('a schema mismatch is repaired with the validation error in the prompt', async () => {
    const { server, router } = await setup('openai');
    server.reply(
      { content: JSON.stringify({ intent: 'world_domination', reply: 'Sure' }) },
      { content: JSON.stringify(good) },
    );
    const result = await call(router, randomUUID());
    expect(result).toMatchObject({ data: good, repaired: true });
    const [, repair] = server.chatRequests();
    const sent = repair!.body.messages as { role: string; content: string }[];
    expect(sent[3]!.content).toContain('does not match the schema');
    expect(sent[3]!.content).toContain('intent');
    expect(sent[3]!.content).toContain('missing');
  });

  test('a second bad answer fails with LLM_OUTPUT_INVALID after exactly two calls, both in the ledger', async () => {
    const { server, router } = await setup('openai');
    server.reply({ content: 'not json at all' }, { content: JSON.stringify({ intent: 'other' }) });
    const projectId = randomUUID();
    let error: OlympusError | undefined;
    try {
      await call(router, projectId);
    } catch (caught) {
      error = caught as OlympusError;
    }
    expect(error && hasCode(error, 'LLM_OUTPUT_INVALID')).toBe(true);
    expect(error!.userMessage).toContain("couldn't make sense");
    expect(error!.details).toMatchObject({ schemaName: 'intake_turn', provider: 'openai' });
    expect(server.chatRequests()).toHaveLength(2);
    expect(await db.store.ledger.list({ projectId })).toHaveLength(2);
  });
});
