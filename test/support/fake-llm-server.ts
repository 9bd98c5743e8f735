/**
 * A scripted LLM server on loopback that speaks OpenAI chat completions (`POST /v1/chat/completions`,
 * `GET /v1/models`) and Ollama (`POST /api/chat`, `GET /api/tags`), for the real `openai` and `ollama`
 * clients. Each test queues the next replies; every request is recorded with the time it arrived.
 * A reply is worked out for the protocol asked (content, tool calls, an error status) or is a recorded
 * body answered verbatim (`{ body }`, e.g. a fixture file under test/fixtures/llm/).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedToolCall {
  name: string;
  arguments: Record<string, unknown>;
  /**
   * The arguments exactly as the model wrote them, in place of `arguments`: OpenAI gets this text as is,
   * Ollama the JSON value it parses to (the text itself when it is not JSON).
   */
  argumentsJson?: string;
  /** The call's id (OpenAI always sends one, Ollama only when given here). */
  id?: string;
}

/** An answer worked out for the protocol asked. */
export interface ScriptedAnswer {
  content?: string;
  toolCalls?: ScriptedToolCall[];
  inputTokens?: number;
  outputTokens?: number;
  model?: string;
  /** OpenAI `finish_reason` / Ollama `done_reason`; by default `tool_calls`/`stop` (OpenAI), `stop` (Ollama). */
  finishReason?: string;
}

/** An error status with the protocol's error body. */
export interface ScriptedError {
  status: number;
  error?: string;
  headers?: Record<string, string>;
}

/** A recorded body answered verbatim (JSON content type unless `headers` say otherwise). */
export interface ScriptedBody {
  body: string;
  /** 200 unless given. */
  status?: number;
  headers?: Record<string, string>;
}

export type ScriptedReply = (ScriptedAnswer | ScriptedError | ScriptedBody) & {
  /** Answer only after this long (a slow or hanging server). */
  delayMs?: number;
};

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** `performance.now()` when the request arrived. */
  at: number;
}

export interface FakeLlmServer {
  /** Base URL of the server (Ollama host). */
  url: string;
  /** `${url}/v1`, the OpenAI base URL. */
  openaiBaseUrl: string;
  /** Queues replies for the next chat requests, in order. */
  reply(...replies: ScriptedReply[]): void;
  /**
   * Queues replies for requests naming this model only; once a model has its own queue, its requests never
   * take from the shared one (an empty queue answers 500), so two callers cannot take each other's replies.
   */
  replyFor(model: string, ...replies: ScriptedReply[]): void;
  /**
   * Answers requests the queues have nothing for by calling `responder` with the request body (a reply
   * worked out from the conversation, the same every time it is asked: a replayed request gets the same
   * answer). Null removes it.
   */
  respond(responder: ((body: Record<string, unknown>) => ScriptedReply | undefined) | null): void;
  /**
   * Queues replies for the next model-list requests (`GET /v1/models`, `GET /api/tags`); without one they
   * list a fixed set of models.
   */
  replyList(...replies: ScriptedReply[]): void;
  readonly requests: RecordedRequest[];
  /** Recorded chat requests only (OpenAI and Ollama). */
  chatRequests(): RecordedRequest[];
  close(): Promise<void>;
}

const OLLAMA_MODELS = ['llama3.2:latest', 'qwen2.5:14b'];

function send(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Ollama gets the arguments as a JSON value: the text parsed, or the text itself when it is not JSON. */
function ollamaArguments(call: ScriptedToolCall): unknown {
  if (call.argumentsJson === undefined) return call.arguments;
  try {
    return JSON.parse(call.argumentsJson) as unknown;
  } catch {
    return call.argumentsJson;
  }
}

function openAiAnswer(reply: ScriptedAnswer, body: Record<string, unknown>, n: number) {
  const calls = reply.toolCalls ?? [];
  return {
    id: `chatcmpl-${n}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: reply.model ?? String(body.model),
    choices: [
      {
        index: 0,
        finish_reason: reply.finishReason ?? (calls.length > 0 ? 'tool_calls' : 'stop'),
        message: {
          role: 'assistant',
          content: calls.length > 0 ? null : (reply.content ?? ''),
          refusal: null,
          ...(calls.length > 0
            ? {
                tool_calls: calls.map((call, i) => ({
                  id: call.id ?? `call_${n}_${i}`,
                  type: 'function',
                  function: {
                    name: call.name,
                    arguments: call.argumentsJson ?? JSON.stringify(call.arguments),
                  },
                })),
              }
            : {}),
        },
      },
    ],
    usage: {
      prompt_tokens: reply.inputTokens ?? 10,
      completion_tokens: reply.outputTokens ?? 5,
      total_tokens: (reply.inputTokens ?? 10) + (reply.outputTokens ?? 5),
    },
  };
}

function ollamaAnswer(reply: ScriptedAnswer, body: Record<string, unknown>) {
  const calls = reply.toolCalls ?? [];
  return {
    model: reply.model ?? String(body.model),
    created_at: new Date().toISOString(),
    message: {
      role: 'assistant',
      content: reply.content ?? '',
      ...(calls.length > 0
        ? {
            tool_calls: calls.map((call) => ({
              ...(call.id === undefined ? {} : { id: call.id }),
              function: { name: call.name, arguments: ollamaArguments(call) },
            })),
          }
        : {}),
    },
    done: true,
    done_reason: reply.finishReason ?? 'stop',
    total_duration: 1000,
    prompt_eval_count: reply.inputTokens ?? 10,
    eval_count: reply.outputTokens ?? 5,
  };
}

function answer(
  res: http.ServerResponse,
  next: ScriptedReply,
  body: Record<string, unknown>,
  isOpenAi: boolean,
  n: number,
): void {
  if (res.destroyed) return;
  if ('body' in next) {
    res.writeHead(next.status ?? 200, { 'content-type': 'application/json', ...next.headers });
    res.end(next.body);
    return;
  }
  if ('status' in next) {
    const message = next.error ?? `scripted ${next.status}`;
    const payload = isOpenAi ? { error: { message, type: 'server_error', code: null } } : { error: message };
    return send(res, next.status, payload, next.headers);
  }
  send(res, 200, isOpenAi ? openAiAnswer(next, body, n) : ollamaAnswer(next, body));
}

export async function startFakeLlmServer(): Promise<FakeLlmServer> {
  const script: ScriptedReply[] = [];
  const byModel = new Map<string, ScriptedReply[]>();
  const requests: RecordedRequest[] = [];
  const lists: ScriptedReply[] = [];
  let responder: ((body: Record<string, unknown>) => ScriptedReply | undefined) | null = null;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      try {
        body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
      } catch {
        return send(res, 400, { error: 'body is not JSON' });
      }
      const path = (req.url ?? '/').split('?')[0]!;
      const method = req.method ?? 'GET';
      requests.push({ method, path, headers: req.headers, body, at: performance.now() });
      const isList = method === 'GET' && (path === '/v1/models' || path === '/api/tags');
      const listed = isList ? lists.shift() : undefined;
      if (listed !== undefined) {
        const reply = (): void => answer(res, listed, body, path === '/v1/models', requests.length);
        if (listed.delayMs === undefined) return reply();
        return void setTimeout(reply, listed.delayMs).unref();
      }
      if (method === 'GET' && path === '/v1/models') {
        return send(res, 200, {
          object: 'list',
          data: [{ id: 'gpt-4o-mini', object: 'model', owned_by: 'test' }],
        });
      }
      if (method === 'GET' && path === '/api/tags') {
        return send(res, 200, { models: OLLAMA_MODELS.map((name) => ({ name, model: name, size: 1 })) });
      }
      const isOpenAi = method === 'POST' && path === '/v1/chat/completions';
      const isOllama = method === 'POST' && path === '/api/chat';
      if (!isOpenAi && !isOllama) return send(res, 404, { error: `no route ${method} ${path}` });
      if (body.stream === true) return send(res, 400, { error: 'this fake server does not stream' });
      const own = typeof body.model === 'string' ? byModel.get(body.model) : undefined;
      const next: ScriptedReply = (own ?? script).shift() ??
        responder?.(body) ?? {
          status: 500,
          error: 'fake-llm-server: script exhausted',
        };
      if (next.delayMs !== undefined) {
        setTimeout(() => answer(res, next, body, isOpenAi, requests.length), next.delayMs).unref();
      } else {
        answer(res, next, body, isOpenAi, requests.length);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    openaiBaseUrl: `${url}/v1`,
    reply: (...replies) => void script.push(...replies),
    replyFor: (model, ...replies) => {
      const queue = byModel.get(model) ?? [];
      queue.push(...replies);
      byModel.set(model, queue);
    },
    respond: (handler) => {
      responder = handler;
    },
    replyList: (...replies) => void lists.push(...replies),
    requests,
    chatRequests: () => requests.filter((r) => r.method === 'POST'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback URL where nothing listens: a provider that is down. */
export async function closedPortUrl(): Promise<string> {
  const probe = http.createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
