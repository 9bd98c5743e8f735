import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { z } from 'zod';
import { costOf } from '../../agents/llm/llm-cost.js';
import { parseRetryAfter } from '../../agents/llm/llm-errors.js';
import { DEFAULT_TIERS } from '../../agents/llm/llm-settings.js';
import { DEFAULT_RETRY_POLICY, retryDelay } from '../../agents/llm/retry.js';
import { parseStructured } from '../../agents/llm/structured-output.js';
import { loadConfig } from '../../bot/config/load-config.js';
import { hasCode, OlympusError } from '../../common/errors.js';

const emptyDir = () => mkdtempSync(path.join(tmpdir(), 'olympus-llm-config-'));

function configProblems(env: Record<string, string>, cwd = emptyDir()): string {
  try {
    loadConfig({ env, cwd });
  } catch (error) {
    expect(hasCode(error, 'CONFIG_INVALID')).toBe(true);
    return (error as OlympusError).message;
  }
  throw new Error('expected loadConfig to fail');
}

describe('LLM configuration', () => {
  test('defaults: built-in tiers and prices, a timeout and three attempts, no provider', () => {
    const { llm } = loadConfig({ env: {}, cwd: emptyDir() });
    expect(llm.ollamaHost).toBeNull();
    expect(llm.openai).toBeNull();
    expect(llm.tiers).toEqual(DEFAULT_TIERS);
    expect(llm.tiers.fast).toEqual({ ollama: 'llama3.2', openai: 'gpt-4o-mini' });
    expect(llm.prices['gpt-4o']).toEqual({ input: 2.5, output: 10 });
    expect(llm.timeoutMs).toBe(60000);
    expect(llm.maxAttempts).toBe(3);
  });

  test('configured tiers and prices are laid over the defaults', () => {
    const { llm } = loadConfig({
      env: {
        OLYMPUS_LLM_TIERS: '{"fast":{"ollama":"phi3"},"coding":{"openai":"gpt-4.1","prefer":"cloud"}}',
        OLYMPUS_LLM_PRICES: '{"phi3":{"input":0.01,"output":0.02}}',
      },
      cwd: emptyDir(),
    });
    expect(llm.tiers.fast).toEqual({ ollama: 'phi3' });
    expect(llm.tiers.coding).toEqual({ openai: 'gpt-4.1', prefer: 'cloud' });
    expect(llm.tiers.reasoning).toEqual(DEFAULT_TIERS.reasoning);
    expect(llm.prices.phi3).toEqual({ input: 0.01, output: 0.02 });
    expect(llm.prices['gpt-4o-mini']).toBeDefined();
  });

  test('the config file may give the tables as JSON objects', () => {
    const cwd = emptyDir();
    writeFileSync(
      path.join(cwd, 'olympus.config.json'),
      JSON.stringify({ OLYMPUS_LLM_TIERS: { fast: { openai: 'gpt-4.1-mini' } } }),
    );
    const config = loadConfig({ env: {}, cwd });
    expect(config.llm.tiers.fast).toEqual({ openai: 'gpt-4.1-mini' });
    expect(config.resolved.get('OLYMPUS_LLM_TIERS')?.value).toBe('{"fast":{"openai":"gpt-4.1-mini"}}');
  });

  test('broken JSON names the variable and the JSON error', () => {
    const message = configProblems({ OLYMPUS_LLM_TIERS: '{fast:' });
    expect(message).toMatch(/OLYMPUS_LLM_TIERS: expected a JSON object of tiers.*not valid JSON/);
  });

  test('a bad tier or price names the variable and the place inside it', () => {
    const message = configProblems({
      OLYMPUS_LLM_TIERS: '{"fast":{"ollama":""}}',
      OLYMPUS_LLM_PRICES: '{"gpt-4o":{"input":-1,"output":2}}',
      OLYMPUS_LLM_TIMEOUT_MS: '0',
      OLYMPUS_LLM_MAX_ATTEMPTS: '20',
    });
    expect(message).toMatch(/OLYMPUS_LLM_TIERS: .*at fast\.ollama: a model name must not be empty/);
    expect(message).toMatch(/OLYMPUS_LLM_PRICES: .*at gpt-4o\.input/);
    expect(message).toContain('OLYMPUS_LLM_TIMEOUT_MS: expected a whole number of milliseconds');
    expect(message).toContain('OLYMPUS_LLM_MAX_ATTEMPTS: expected a whole number from 1 to 10');
  });

  test('a tier with no model and an unknown provider key are refused', () => {
    expect(configProblems({ OLYMPUS_LLM_TIERS: '{"fast":{}}' })).toContain(
      'a tier needs an ollama or an openai model',
    );
    expect(configProblems({ OLYMPUS_LLM_TIERS: '{"fast":{"anthropic":"x"}}' })).toMatch(
      /OLYMPUS_LLM_TIERS: .*Unrecognized key/,
    );
  });
});

describe('Retry-After and backoff', () => {
  const headers = (values: Record<string, string>) => new Headers(values);

  test('delta-seconds, an HTTP date and retry-after-ms are understood; garbage is ignored', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter(headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(parseRetryAfter(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:05 GMT' }), now)).toBe(5000);
    expect(parseRetryAfter(headers({ 'retry-after-ms': '150' }), now)).toBe(150);
    expect(parseRetryAfter(headers({ 'retry-after': 'soon' }), now)).toBeNull();
    expect(parseRetryAfter(headers({}), now)).toBeNull();
  });

  test('retryable errors back off with jitter within the cap; Retry-After wins; others are not retried', () => {
    const retryable = new OlympusError('LLM_UNAVAILABLE', 'x', { retryable: true });
    const policy = { ...DEFAULT_RETRY_POLICY, baseDelayMs: 100, maxDelayMs: 300, maxAttempts: 4 };
    expect(retryDelay(retryable, 1, policy, () => 0)).toBe(50);
    expect(retryDelay(retryable, 1, policy, () => 1)).toBe(100);
    expect(retryDelay(retryable, 3, policy, () => 1)).toBe(300);
    expect(retryDelay(retryable, 4, policy)).toBeNull();
    const limited = new OlympusError('LLM_UNAVAILABLE', 'x', {
      retryable: true,
      details: { retryAfterMs: 1234 },
    });
    expect(retryDelay(limited, 1, policy)).toBeGreaterThanOrEqual(1234);
    const tooLong = new OlympusError('LLM_UNAVAILABLE', 'x', {
      retryable: true,
      details: { retryAfterMs: 3_600_000 },
    });
    expect(retryDelay(tooLong, 1, policy)).toBeNull();
    expect(retryDelay(new OlympusError('LLM_UNAVAILABLE', 'x'), 1, policy)).toBeNull();
  });
});

describe('cost and structured parsing', () => {
  const prices = { 'gpt-4o': { input: 2.5, output: 10 }, 'ollama/llama3.2': { input: 1, output: 1 } };

  test('cost comes from the price table; unpriced local models cost 0, unpriced cloud models are flagged', () => {
    const base = { inputTokens: 1_000_000, outputTokens: 500_000 };
    expect(costOf(prices, { ...base, provider: 'openai', locality: 'cloud', model: 'gpt-4o' })).toEqual({
      cost: 7.5,
      priced: true,
    });
    expect(costOf(prices, { ...base, provider: 'ollama', locality: 'local', model: 'llama3.2' }).cost).toBe(
      1.5,
    );
    expect(costOf(prices, { ...base, provider: 'ollama', locality: 'local', model: 'phi3' })).toEqual({
      cost: 0,
      priced: true,
    });
    expect(costOf(prices, { ...base, provider: 'openai', locality: 'cloud', model: 'o9' })).toEqual({
      cost: 0,
      priced: false,
    });
  });

  test('parseStructured accepts fenced JSON and explains what is wrong', () => {
    const schema = z.object({ name: z.string(), size: z.number() });
    expect(parseStructured('```json\n{"name":"a","size":1}\n```', schema)).toEqual({
      ok: true,
      data: { name: 'a', size: 1 },
    });
    const broken = parseStructured('{"name":', schema);
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.problem).toContain('not valid JSON');
    const mismatch = parseStructured('{"name":"a","size":"big"}', schema);
    expect(!mismatch.ok && mismatch.problem).toContain('size');
  });
});
