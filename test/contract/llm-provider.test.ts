/**
 * The LLM provider contract suite against both adapters: OpenAI (the `openai` package) and Ollama (the
 * `ollama` package), each pointed at the scripted server on loopback, replaying the recorded bodies of
 * test/fixtures/llm/openai/ and test/fixtures/llm/ollama/. Which adapters ran is printed at the end.
 */
import { readFileSync } from 'node:fs';
import { afterAll, expect } from '@jest/globals';
import { OllamaProvider } from '../../agents/llm/providers/ollama-provider.js';
import { OpenAiProvider } from '../../agents/llm/providers/openai-provider.js';
import {
  contractRuns,
  describeLlmProviderContract,
  type LlmProviderWire,
  type WireMessage,
} from './llm-provider-contract.js';

type Body = Record<string, unknown>;

function sdkVersion(name: string): string {
  const manifest = readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8');
  return (JSON.parse(manifest) as { version: string }).version;
}

const asArray = (value: unknown): Body[] => (Array.isArray(value) ? (value as Body[]) : []);
const numberOrNull = (value: unknown): number | null => (typeof value === 'number' ? value : null);

/** OpenAI chat completions: `response_format`, `tools[].function`, arguments as JSON text, `tool_call_id`. */
const openAiWire: LlmProviderWire = {
  requestedSchema(body, name) {
    if (body.response_format === undefined) return undefined;
    const format = body.response_format as { type: string; json_schema: Body };
    expect(format.type).toBe('json_schema');
    expect(format.json_schema.name).toBe(name);
    return format.json_schema.schema;
  },
  toolsOf(body) {
    return asArray(body.tools).map((tool) => {
      expect(tool.type).toBe('function');
      const fn = tool.function as Body;
      return {
        name: fn.name as string,
        description: (fn.description as string | undefined) ?? null,
        parameters: fn.parameters,
      };
    });
  },
  messagesOf(body) {
    return asArray(body.messages).map((message): WireMessage => ({
      role: message.role as string,
      content: (message.content as string | null | undefined) ?? null,
      toolCalls: asArray(message.tool_calls).map((call) => {
        expect(call.type).toBe('function');
        const fn = call.function as { name: string; arguments: string };
        expect(typeof fn.arguments).toBe('string');
        return { id: call.id as string, name: fn.name, arguments: JSON.parse(fn.arguments) as unknown };
      }),
      toolCallId: (message.tool_call_id as string | undefined) ?? null,
      toolName: null,
    }));
  },
  optionsOf(body) {
    expect(body.max_tokens).toBeUndefined();
    return {
      temperature: numberOrNull(body.temperature),
      maxTokens: numberOrNull(body.max_completion_tokens),
    };
  },
  namesToolResults: false,
};

/** Ollama /api/chat: `format: <schema>`, arguments as a JSON object, `tool_name`, `options`. */
const ollamaWire: LlmProviderWire = {
  requestedSchema(body) {
    return body.format;
  },
  toolsOf(body) {
    return asArray(body.tools).map((tool) => {
      expect(tool.type).toBe('function');
      const fn = tool.function as Body;
      return {
        name: fn.name as string,
        description: (fn.description as string | undefined) ?? null,
        parameters: fn.parameters,
      };
    });
  },
  messagesOf(body) {
    return asArray(body.messages).map((message): WireMessage => ({
      role: message.role as string,
      content: (message.content as string | null | undefined) ?? null,
      toolCalls: asArray(message.tool_calls).map((call) => {
        const fn = call.function as { name: string; arguments: unknown };
        expect(typeof fn.arguments).toBe('object');
        return { id: (call.id as string | undefined) ?? null, name: fn.name, arguments: fn.arguments };
      }),
      toolCallId: (message.tool_call_id as string | undefined) ?? null,
      toolName: (message.tool_name as string | undefined) ?? null,
    }));
  },
  optionsOf(body) {
    const options = (body.options ?? {}) as Body;
    return { temperature: numberOrNull(options.temperature), maxTokens: numberOrNull(options.num_predict) };
  },
  namesToolResults: true,
};

const digestTurn = { intent: 'new_project', title: 'Sales Digest', reply: 'What should the digest include?' };

describeLlmProviderContract({
  label: `openai (openai ${sdkVersion('openai')})`,
  name: 'openai',
  locality: 'cloud',
  make: (baseUrl) => new OpenAiProvider({ apiKey: 'sk-contract-test', baseUrl: `${baseUrl}/v1` }),
  endpointFor: (baseUrl) => `${baseUrl}/v1`,
  wire: openAiWire,
  recorded: {
    text: {
      file: 'openai/chat-text.json',
      expect: {
        text: "Hello! I'm Hermes. What would you like to build?",
        model: 'gpt-4o-mini-2024-07-18',
        inputTokens: 23,
        outputTokens: 14,
      },
    },
    structured: {
      file: 'openai/chat-json-schema.json',
      expect: { data: digestTurn, model: 'gpt-4o-mini-2024-07-18', inputTokens: 112, outputTokens: 21 },
    },
    toolCalls: {
      file: 'openai/chat-tool-calls.json',
      expect: {
        calls: [
          { id: 'call_Qm3vX8bN2kLp7RtYw5sEa1Hc', name: 'read_file', arguments: { path: 'src/digest.ts' } },
          {
            id: 'call_Zt9cF4jW6nDq2GyUb8oKe3Mr',
            name: 'list_files',
            arguments: { dir: 'src', recursive: true },
          },
        ],
      },
    },
    retryableError: {
      file: 'openai/error-429-rate-limit.json',
      status: 429,
      headers: {
        'retry-after': '1',
        'x-ratelimit-limit-tokens': '200000',
        'x-ratelimit-remaining-tokens': '188',
        'x-ratelimit-reset-tokens': '373ms',
      },
      expect: { status: 429, retryAfterMs: 1000, messageContains: 'Rate limit reached for gpt-4o-mini' },
    },
    refusedErrors: [
      {
        file: 'openai/error-400-invalid-request.json',
        status: 400,
        expect: { status: 400, messageContains: "Invalid schema for response_format 'intake_turn'" },
      },
    ],
    models: { file: 'openai/models.json', expect: { count: 3, present: 'gpt-4o-mini' } },
  },
});

describeLlmProviderContract({
  label: `ollama (ollama ${sdkVersion('ollama')})`,
  name: 'ollama',
  locality: 'local',
  make: (baseUrl) => new OllamaProvider({ host: baseUrl }),
  endpointFor: (baseUrl) => baseUrl,
  wire: ollamaWire,
  recorded: {
    text: {
      file: 'ollama/chat-text.json',
      expect: {
        text: "Hello! I'm Hermes. What would you like to build?",
        model: 'llama3.2:latest',
        inputTokens: 31,
        outputTokens: 15,
      },
    },
    structured: {
      file: 'ollama/chat-format.json',
      expect: { data: digestTurn, model: 'llama3.2:latest', inputTokens: 118, outputTokens: 27 },
    },
    toolCalls: {
      file: 'ollama/chat-tool-calls.json',
      expect: {
        calls: [
          { id: 'call_k3x9qf2m', name: 'read_file', arguments: { path: 'src/digest.ts' } },
          { id: 'call_w7d1zr5c', name: 'list_files', arguments: { dir: 'src', recursive: true } },
        ],
      },
    },
    retryableError: {
      file: 'ollama/error-503-busy.json',
      status: 503,
      expect: { status: 503, retryAfterMs: null, messageContains: 'server busy, please try again' },
    },
    refusedErrors: [
      {
        file: 'ollama/error-404-model-not-found.json',
        status: 404,
        expect: { status: 404, messageContains: 'model "llama3.2:latest" not found, try pulling it first' },
      },
      {
        file: 'ollama/error-400-no-tools.json',
        status: 400,
        expect: { status: 400, messageContains: 'does not support tools' },
      },
    ],
    models: { file: 'ollama/tags.json', expect: { count: 2, present: 'llama3.2' } },
  },
});

afterAll(() => {
  const ran = contractRuns.map((run) => `${run.label}: ${run.cases} cases`).join('; ');
  process.stdout.write(`LLM provider contract suite ran against ${contractRuns.length} adapters: ${ran}\n`);
});
