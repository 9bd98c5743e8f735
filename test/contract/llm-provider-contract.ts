/**
 * The LLM provider contract: one suite, run against every LlmProvider adapter (llm-provider.test.ts) with
 * its real SDK pointed at the scripted server (test/support/fake-llm-server.ts). Recorded bodies under
 * test/fixtures/llm/ are replayed verbatim, so the adapters parse what the real servers send.
 *
 * A case asserts the same thing for every adapter. What differs per protocol (where a request carries the
 * schema, the tools, the messages) is read by the subject's `wire`, so the case compares one meaning.
 * Every chat call must make exactly one HTTP request: the router retries, not the adapter.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { hasCode, type OlympusError } from '../../common/errors.js';
import type {
  LlmChatRequest,
  LlmMessage,
  LlmProvider,
  LlmResponseFormat,
  LlmToolDefinition,
  ProviderLocality,
  ProviderName,
} from '../../ports/llm-provider.js';
import {
  closedPortUrl,
  startFakeLlmServer,
  type FakeLlmServer,
  type RecordedRequest,
  type ScriptedReply,
} from '../support/fake-llm-server.js';

type Body = Record<string, unknown>;

/** A request message in one meaning for every protocol. */
export interface WireMessage {
  role: string;
  content: string | null;
  toolCalls: { id: string | null; name: string; arguments: unknown }[];
  /** The call a tool result answers, by id; null when the message names none. */
  toolCallId: string | null;
  /** The tool a result answers, by name; null when the protocol does not name it. */
  toolName: string | null;
}

/** Reads a request body the way one protocol writes it (and fails the case when it is written wrongly). */
export interface LlmProviderWire {
  /** The schema structured output asks for, checked to be asked the protocol's way; undefined when none. */
  requestedSchema(body: Body, name: string): unknown;
  /** The tools the request offers; [] when none. */
  toolsOf(body: Body): { name: string; description: string | null; parameters: unknown }[];
  messagesOf(body: Body): WireMessage[];
  optionsOf(body: Body): { temperature: number | null; maxTokens: number | null };
  /** True when a tool result names its tool (Ollama's `tool_name`). */
  namesToolResults: boolean;
}

/** A recorded body and what the adapter must make of it. */
export interface Recorded<Expect> {
  /** Path under test/fixtures/llm/. */
  file: string;
  status?: number;
  headers?: Record<string, string>;
  expect: Expect;
}

export interface LlmProviderSubject {
  label: string;
  name: ProviderName;
  locality: ProviderLocality;
  /** The adapter pointed at a server's base URL (`http://127.0.0.1:<port>`). */
  make(baseUrl: string): LlmProvider;
  /** The endpoint the adapter reports for that base URL. */
  endpointFor(baseUrl: string): string;
  wire: LlmProviderWire;
  recorded: {
    text: Recorded<{ text: string; model: string; inputTokens: number; outputTokens: number }>;
    structured: Recorded<{ data: unknown; model: string; inputTokens: number; outputTokens: number }>;
    toolCalls: Recorded<{ calls: { id: string; name: string; arguments: Record<string, unknown> }[] }>;
    /** An error a retry may pass (rate limit, busy server). */
    retryableError: Recorded<{ status: number; retryAfterMs: number | null; messageContains: string }>;
    /** Errors a retry will not pass. */
    refusedErrors: Recorded<{ status: number; messageContains: string }>[];
    /** The model list `check()` reads: how many it lists and one it has (as a caller names it). */
    models: Recorded<{ count: number; present: string }>;
  };
}

/** What each subject ran: printed by the test file once every suite is done. */
export const contractRuns: { label: string; cases: number }[] = [];

const FIXTURES = new URL('../fixtures/llm/', import.meta.url);

export function fixtureText(file: string): string {
  return readFileSync(new URL(file, FIXTURES), 'utf8');
}

function replayed(recorded: Recorded<unknown>): ScriptedReply {
  return {
    body: fixtureText(recorded.file),
    ...(recorded.status === undefined ? {} : { status: recorded.status }),
    ...(recorded.headers === undefined ? {} : { headers: recorded.headers }),
  };
}

async function failure(promise: Promise<unknown>): Promise<OlympusError> {
  try {
    await promise;
  } catch (error) {
    expect(hasCode(error, 'LLM_UNAVAILABLE')).toBe(true);
    return error as OlympusError;
  }
  throw new Error('expected the call to fail');
}

const hello: LlmMessage[] = [
  { role: 'system', content: 'You are Hermes, the Olympus concierge.' },
  { role: 'user', content: 'Hello' },
];

const intakeFormat: LlmResponseFormat = {
  name: 'intake_turn',
  schema: {
    type: 'object',
    properties: {
      intent: { type: 'string', enum: ['new_project', 'project_status', 'other'] },
      title: { type: 'string' },
      reply: { type: 'string' },
    },
    required: ['intent', 'reply'],
    additionalProperties: false,
  },
};

const workspaceTools: LlmToolDefinition[] = [
  {
    name: 'read_file',
    description: 'Reads a file of the workspace.',
    parameters: {
      type: 'object',
      properties: { path: { type: 'string' } },
      required: ['path'],
    },
  },
  {
    name: 'list_files',
    parameters: {
      type: 'object',
      properties: { dir: { type: 'string' }, recursive: { type: 'boolean' } },
    },
  },
];

export function describeLlmProviderContract(subject: LlmProviderSubject): void {
  describe(`LLM provider contract: ${subject.label}`, () => {
    let server: FakeLlmServer;
    let provider: LlmProvider;
    let cases = 0;

    beforeEach(async () => {
      cases += 1;
      server = await startFakeLlmServer();
      provider = subject.make(server.url);
    });
    afterEach(async () => {
      await server.close();
    });
    afterAll(() => {
      contractRuns.push({ label: subject.label, cases });
    });

    const chat = (request: Partial<LlmChatRequest> = {}) =>
      provider.chat({ model: 'requested-model', messages: hello, ...request });

    /** The one request the call made (the adapter does not retry). */
    function onlyRequest(): RecordedRequest {
      const requests = server.chatRequests();
      expect(requests).toHaveLength(1);
      return requests[0]!;
    }

    test('names itself, its locality and its endpoint', () => {
      expect(provider.name).toBe(subject.name);
      expect(provider.locality).toBe(subject.locality);
      expect(provider.endpoint).toBe(subject.endpointFor(server.url));
    });

    describe('answers', () => {
      test('a recorded text answer: text, token counts, reported model and finish reason', async () => {
        const { expect: want } = subject.recorded.text;
        server.reply(replayed(subject.recorded.text));
        const response = await chat();
        expect(response).toMatchObject({
          text: want.text,
          toolCalls: [],
          inputTokens: want.inputTokens,
          outputTokens: want.outputTokens,
          model: want.model,
          provider: subject.name,
          finishReason: 'stop',
        });
        expect(response.latencyMs).toBeGreaterThanOrEqual(0);
        const { body } = onlyRequest();
        expect(body.model).toBe('requested-model');
        expect(body.stream ?? false).toBe(false);
        expect(subject.wire.messagesOf(body)).toEqual([
          { role: 'system', content: hello[0]!.content, toolCalls: [], toolCallId: null, toolName: null },
          { role: 'user', content: 'Hello', toolCalls: [], toolCallId: null, toolName: null },
        ]);
        expect(subject.wire.requestedSchema(body, intakeFormat.name)).toBeUndefined();
        expect(subject.wire.toolsOf(body)).toEqual([]);
      });

      test('a scripted answer: the model the server reports, not the one asked for, and its counts', async () => {
        server.reply({ content: 'Hi there', model: 'reported-model', inputTokens: 17, outputTokens: 4 });
        expect(await chat()).toMatchObject({
          text: 'Hi there',
          model: 'reported-model',
          inputTokens: 17,
          outputTokens: 4,
          finishReason: 'stop',
        });
        onlyRequest();
      });

      test('a truncated answer reports `length`; temperature and the token limit go out', async () => {
        server.reply({ content: 'The digest covers', finishReason: 'length', outputTokens: 3 });
        const response = await chat({ temperature: 0.2, maxTokens: 3 });
        expect(response).toMatchObject({
          text: 'The digest covers',
          finishReason: 'length',
          outputTokens: 3,
        });
        expect(subject.wire.optionsOf(onlyRequest().body)).toEqual({ temperature: 0.2, maxTokens: 3 });
      });

      test('without temperature or a token limit none is sent', async () => {
        server.reply({ content: 'ok' });
        await chat();
        expect(subject.wire.optionsOf(onlyRequest().body)).toEqual({ temperature: null, maxTokens: null });
      });
    });

    describe('structured output', () => {
      test('the schema is asked for the provider way and the recorded JSON answer comes back', async () => {
        const { expect: want } = subject.recorded.structured;
        server.reply(replayed(subject.recorded.structured));
        const response = await chat({ responseFormat: intakeFormat });
        expect(JSON.parse(response.text)).toEqual(want.data);
        expect(response).toMatchObject({
          model: want.model,
          inputTokens: want.inputTokens,
          outputTokens: want.outputTokens,
          finishReason: 'stop',
        });
        const { body } = onlyRequest();
        expect(subject.wire.requestedSchema(body, intakeFormat.name)).toEqual(intakeFormat.schema);
      });
    });

    describe('tools', () => {
      test('definitions go out and the recorded tool calls come back parsed, with their ids', async () => {
        const { expect: want } = subject.recorded.toolCalls;
        server.reply(replayed(subject.recorded.toolCalls));
        const response = await chat({ tools: workspaceTools });
        expect(response.finishReason).toBe('tool_calls');
        expect(response.toolCalls).toEqual(
          want.calls.map((call) => ({
            id: call.id,
            name: call.name,
            argumentsJson: expect.any(String),
            arguments: call.arguments,
          })),
        );
        for (const call of response.toolCalls) {
          expect(JSON.parse(call.argumentsJson)).toEqual(call.arguments);
        }
        const { body } = onlyRequest();
        expect(subject.wire.toolsOf(body)).toEqual([
          {
            name: 'read_file',
            description: 'Reads a file of the workspace.',
            parameters: workspaceTools[0]!.parameters,
          },
          { name: 'list_files', description: null, parameters: workspaceTools[1]!.parameters },
        ]);
      });

      test('arguments keep the model text exactly; arguments that are not a JSON object parse to null', async () => {
        server.reply({
          toolCalls: [
            { name: 'read_file', arguments: { path: 'src/a.ts' } },
            { name: 'read_file', arguments: {}, argumentsJson: 'src/a.ts, please' },
            { name: 'list_files', arguments: {}, argumentsJson: '["src","test"]' },
          ],
        });
        const response = await chat({ tools: workspaceTools });
        expect(response.finishReason).toBe('tool_calls');
        expect(
          response.toolCalls.map(({ name, argumentsJson, arguments: args }) => ({
            name,
            argumentsJson,
            args,
          })),
        ).toEqual([
          { name: 'read_file', argumentsJson: '{"path":"src/a.ts"}', args: { path: 'src/a.ts' } },
          { name: 'read_file', argumentsJson: 'src/a.ts, please', args: null },
          { name: 'list_files', argumentsJson: '["src","test"]', args: null },
        ]);
        onlyRequest();
      });

      test('every call has an id of its own, also when the server sends none', async () => {
        server.reply({
          toolCalls: [
            { name: 'read_file', arguments: { path: 'a' } },
            { name: 'read_file', arguments: { path: 'b' } },
          ],
        });
        const ids = (await chat({ tools: workspaceTools })).toolCalls.map((call) => call.id);
        expect(ids).toHaveLength(2);
        for (const id of ids) expect(id).toMatch(/\S/);
        expect(new Set(ids).size).toBe(2);
      });

      test('a server that reports `stop` for an answer calling tools: the finish reason is `tool_calls`', async () => {
        server.reply({
          toolCalls: [{ name: 'list_files', arguments: { dir: 'src' } }],
          finishReason: 'stop',
        });
        const response = await chat({ tools: workspaceTools });
        expect(response.finishReason).toBe('tool_calls');
        expect(response.toolCalls.map((call) => call.arguments)).toEqual([{ dir: 'src' }]);
        onlyRequest();
      });

      test('the assistant tool call and the tool result go back, linked to the call', async () => {
        server.reply({ content: 'The digest module exports one constant.' });
        const response = await chat({
          tools: workspaceTools,
          messages: [
            { role: 'user', content: 'What is in the digest module?' },
            {
              role: 'assistant',
              content: '',
              toolCalls: [
                {
                  id: 'call_Qm3vX8bN2kLp7RtYw5sEa1Hc',
                  name: 'read_file',
                  argumentsJson: '{"path":"src/digest.ts"}',
                  arguments: { path: 'src/digest.ts' },
                },
              ],
            },
            {
              role: 'tool',
              content: 'export const DIGEST_DAY = "monday";',
              toolCallId: 'call_Qm3vX8bN2kLp7RtYw5sEa1Hc',
              toolName: 'read_file',
            },
          ],
        });
        expect(response.text).toBe('The digest module exports one constant.');
        const sent = subject.wire.messagesOf(onlyRequest().body);
        expect(sent).toHaveLength(3);
        expect(sent[1]!.role).toBe('assistant');
        expect(sent[1]!.toolCalls).toEqual([
          { id: 'call_Qm3vX8bN2kLp7RtYw5sEa1Hc', name: 'read_file', arguments: { path: 'src/digest.ts' } },
        ]);
        expect(sent[2]).toEqual({
          role: 'tool',
          content: 'export const DIGEST_DAY = "monday";',
          toolCalls: [],
          toolCallId: 'call_Qm3vX8bN2kLp7RtYw5sEa1Hc',
          toolName: subject.wire.namesToolResults ? 'read_file' : null,
        });
      });
    });

    describe('errors', () => {
      test('429 with Retry-After: retryable LLM_UNAVAILABLE with the wait, after one request', async () => {
        server.reply({ status: 429, error: 'slow down', headers: { 'retry-after': '3' } });
        const error = await failure(chat());
        expect(error.retryable).toBe(true);
        expect(error.details).toMatchObject({ provider: subject.name, status: 429, retryAfterMs: 3000 });
        expect(error.message).toContain('slow down');
        onlyRequest();
      });

      test('a recorded rate-limit or busy error body', async () => {
        const { expect: want } = subject.recorded.retryableError;
        server.reply(replayed(subject.recorded.retryableError));
        const error = await failure(chat());
        expect(error.retryable).toBe(true);
        expect(error.details).toMatchObject({ status: want.status, retryAfterMs: want.retryAfterMs });
        expect(error.message).toContain(want.messageContains);
        onlyRequest();
      });

      test.each([500, 502, 503])('%i: retryable LLM_UNAVAILABLE after one request', async (status) => {
        server.reply({ status, error: `upstream said ${status}` });
        const error = await failure(chat());
        expect(error.retryable).toBe(true);
        expect(error.details).toMatchObject({ status, retryAfterMs: null, timedOut: false, aborted: false });
        expect(error.message).toContain(`upstream said ${status}`);
        onlyRequest();
      });

      test('400: not retryable, with the server message', async () => {
        server.reply({ status: 400, error: 'messages must not be empty' });
        const error = await failure(chat());
        expect(error.retryable).toBe(false);
        expect(error.details).toMatchObject({ status: 400 });
        expect(error.message).toContain('messages must not be empty');
        onlyRequest();
      });

      test('recorded refusals (bad request, unknown model): not retryable', async () => {
        for (const recorded of subject.recorded.refusedErrors) {
          server.reply(replayed(recorded));
          const error = await failure(chat());
          expect(error.retryable).toBe(false);
          expect(error.details).toMatchObject({ status: recorded.expect.status });
          expect(error.message).toContain(recorded.expect.messageContains);
        }
        expect(server.chatRequests()).toHaveLength(subject.recorded.refusedErrors.length);
      });

      test('an error page that is not JSON keeps its status and text, and nothing is printed', async () => {
        const printed = (['log', 'info', 'warn', 'error', 'debug'] as const).map((method) =>
          jest.spyOn(console, method).mockImplementation(() => undefined),
        );
        try {
          server.reply({
            status: 502,
            body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
            headers: { 'content-type': 'text/html' },
          });
          const error = await failure(chat());
          expect(error.retryable).toBe(true);
          expect(error.details).toMatchObject({ status: 502 });
          expect(error.message).toContain('502 Bad Gateway');
          for (const spy of printed) expect(spy).not.toHaveBeenCalled();
        } finally {
          for (const spy of printed) spy.mockRestore();
        }
        onlyRequest();
      });
    });

    describe('time limits and cancelling', () => {
      test('a server slower than timeoutMs: retryable LLM_UNAVAILABLE, marked timed out, in time', async () => {
        server.reply({ content: 'too late', delayMs: 3000 });
        const started = performance.now();
        const error = await failure(chat({ timeoutMs: 150 }));
        expect(performance.now() - started).toBeLessThan(2000);
        expect(error.retryable).toBe(true);
        expect(error.details).toMatchObject({ status: null, timedOut: true, aborted: false });
        onlyRequest();
      });

      test('aborting the signal stops the request in flight; not retryable', async () => {
        server.reply({ content: 'too late', delayMs: 3000 });
        const controller = new AbortController();
        const started = performance.now();
        const pending = failure(chat({ signal: controller.signal, timeoutMs: 10_000 }));
        setTimeout(() => controller.abort(), 100);
        const error = await pending;
        expect(performance.now() - started).toBeLessThan(2000);
        expect(error.retryable).toBe(false);
        expect(error.details).toMatchObject({ status: null, aborted: true, timedOut: false });
        onlyRequest();
      });

      test('an already aborted signal sends nothing', async () => {
        server.reply({ content: 'never asked' });
        const controller = new AbortController();
        controller.abort();
        const error = await failure(chat({ signal: controller.signal }));
        expect(error.details).toMatchObject({ aborted: true });
        expect(server.chatRequests()).toHaveLength(0);
      });
    });

    describe('malformed answers', () => {
      test('a body cut off mid-JSON: a clear, not retryable error', async () => {
        server.reply({ body: '{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o-mini","choi' });
        const error = await failure(chat());
        expect(error.message).toMatch(new RegExp(`^${subject.name}: unexpected response \\(.*not JSON`));
        expect(error.retryable).toBe(false);
        expect(error.details).toMatchObject({ provider: subject.name, status: 200 });
        onlyRequest();
      });

      test('JSON of another shape: a clear error naming what is missing', async () => {
        server.reply({ body: '{"object":"list","data":[]}' });
        const error = await failure(chat());
        expect(error.message).toMatch(new RegExp(`^${subject.name}: unexpected response \\(`));
        expect(error.message).toMatch(/model|message|choices/);
        expect(error.retryable).toBe(false);
        expect(error.details).toMatchObject({ status: 200 });
        onlyRequest();
      });

      test('an HTML page with status 200 (a proxy or a wrong base URL): a clear error', async () => {
        server.reply({
          body: '<!doctype html><title>Sign in</title>',
          headers: { 'content-type': 'text/html' },
        });
        const error = await failure(chat());
        expect(error.message).toMatch(new RegExp(`^${subject.name}: unexpected response \\(`));
        expect(error.retryable).toBe(false);
        onlyRequest();
      });
    });

    describe('check()', () => {
      test('reads the recorded model list: ok, with the count and the models it lacks', async () => {
        const { expect: want } = subject.recorded.models;
        server.replyList(replayed(subject.recorded.models));
        const check = await provider.check({ models: [want.present, 'no-such-model'] });
        expect(check).toMatchObject({ provider: subject.name, locality: subject.locality, ok: true });
        expect(check.detail).toContain(`${want.count} models`);
        expect(check.detail).toContain('no-such-model');
        expect(check.detail).not.toContain(want.present);
        expect(server.requests.filter((r) => r.method === 'GET')).toHaveLength(1);
      });

      test('an unreachable server: not ok, without throwing', async () => {
        const down = subject.make(await closedPortUrl());
        const check = await down.check({ timeoutMs: 2000 });
        expect(check).toMatchObject({ provider: subject.name, ok: false });
        expect(check.detail).toContain(down.endpoint);
      });

      test('an error status: not ok, naming it', async () => {
        server.replyList({ status: 500, error: 'models unavailable' });
        const check = await provider.check();
        expect(check.ok).toBe(false);
        expect(check.detail).toContain('500');
        expect(server.requests.filter((r) => r.method === 'GET')).toHaveLength(1);
      });

      test('a list slower than the time limit: not ok, in time', async () => {
        server.replyList({ body: fixtureText(subject.recorded.models.file), delayMs: 3000 });
        const started = performance.now();
        const check = await provider.check({ timeoutMs: 150 });
        expect(performance.now() - started).toBeLessThan(2000);
        expect(check.ok).toBe(false);
      });

      test('a list that is not JSON: not ok', async () => {
        server.replyList({ body: '{"models": [' });
        const check = await provider.check();
        expect(check.ok).toBe(false);
      });
    });
  });
}
