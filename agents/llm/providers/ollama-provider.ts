/** Local provider: an Ollama server (the `ollama` package, `host` from OLLAMA_HOST). */
import { Ollama, type Message, type Tool, type ToolCall } from 'ollama';
import { z } from 'zod';
import { errorMessage, type OlympusError } from '../../../common/errors.js';
import {
  attemptSignal,
  describeError,
  elapsedSince,
  parseRetryAfter,
  parseToolArguments,
  providerError,
  type AttemptSignal,
} from '../llm-errors.js';
import type {
  LlmChatRequest,
  LlmChatResponse,
  LlmMessage,
  LlmProvider,
  LlmToolCall,
  ProviderCheck,
} from '../../../ports/llm-provider.js';
import { bodySnippet, errorTextOf, unexpectedResponse } from './response-body.js';

export interface OllamaProviderOptions {
  host: string;
}

const chatResponseSchema = z.object({
  model: z.string(),
  message: z.object({
    content: z.string().nullish(),
    tool_calls: z
      .array(
        z.object({
          id: z.string().nullish(),
          function: z.object({ name: z.string(), arguments: z.unknown() }),
        }),
      )
      .nullish(),
  }),
  done_reason: z.string().nullish(),
  prompt_eval_count: z.number().nullish(),
  eval_count: z.number().nullish(),
});

const tagsSchema = z.object({ models: z.array(z.object({ name: z.string() })) });

/**
 * Recent Ollama servers give each tool call an id and take it back on the call and on its result
 * (`tool_call_id`); older servers send none and ignore both. The package's types predate them.
 */
type OllamaMessage = Message & { tool_calls?: (ToolCall & { id?: string })[]; tool_call_id?: string };

/** What one request's fetch saw: the response and its body text. */
interface SeenResponse {
  response: Response | null;
  body: string | null;
}

function toOllamaMessage(message: LlmMessage): OllamaMessage {
  switch (message.role) {
    case 'system':
    case 'user':
      return { role: message.role, content: message.content };
    case 'assistant':
      return {
        role: 'assistant',
        content: message.content,
        ...(message.toolCalls && message.toolCalls.length > 0
          ? {
              tool_calls: message.toolCalls.map((call) => ({
                id: call.id,
                function: { name: call.name, arguments: call.arguments ?? {} },
              })),
            }
          : {}),
      };
    case 'tool':
      return {
        role: 'tool',
        content: message.content,
        tool_name: message.toolName,
        tool_call_id: message.toolCallId,
      };
  }
}

function toolCallOf(
  call: { id?: string | null; function: { name: string; arguments: unknown } },
  index: number,
): LlmToolCall {
  const args = call.function.arguments ?? {};
  // Ollama sends a JSON object; text (some models through some servers) is kept exactly as written.
  const argumentsJson = typeof args === 'string' ? args : JSON.stringify(args);
  return {
    id: call.id ?? `call_${index}`,
    name: call.function.name,
    argumentsJson,
    arguments: parseToolArguments(argumentsJson),
  };
}

export class OllamaProvider implements LlmProvider {
  readonly name = 'ollama' as const;
  readonly locality = 'local' as const;
  readonly endpoint: string;

  constructor(options: OllamaProviderOptions) {
    this.endpoint = options.host;
  }

  async chat(request: LlmChatRequest): Promise<LlmChatResponse> {
    const started = performance.now();
    const attempt = attemptSignal(request.signal, request.timeoutMs);
    const seen: SeenResponse = { response: null, body: null };
    const client = this.client(attempt, seen);
    const options = {
      ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
      ...(request.maxTokens === undefined ? {} : { num_predict: request.maxTokens }),
    };
    let raw: unknown;
    try {
      raw = await client.chat({
        model: request.model,
        messages: request.messages.map(toOllamaMessage),
        stream: false,
        ...(request.responseFormat ? { format: request.responseFormat.schema } : {}),
        ...(request.tools && request.tools.length > 0
          ? {
              tools: request.tools.map((tool): Tool => ({
                type: 'function',
                function: {
                  name: tool.name,
                  ...(tool.description === undefined ? {} : { description: tool.description }),
                  parameters: tool.parameters,
                },
              })),
            }
          : {}),
        ...(Object.keys(options).length > 0 ? { options } : {}),
      });
    } catch (error) {
      throw this.mapError(error, attempt, seen);
    }
    const parsed = chatResponseSchema.safeParse(raw);
    if (!parsed.success) {
      throw unexpectedResponse(this.name, seen.response?.status ?? 200, parsed.error.message);
    }
    const { data } = parsed;
    const toolCalls = (data.message.tool_calls ?? []).map(toolCallOf);
    return {
      text: data.message.content ?? '',
      toolCalls,
      inputTokens: data.prompt_eval_count ?? 0,
      outputTokens: data.eval_count ?? 0,
      model: data.model,
      provider: this.name,
      latencyMs: elapsedSince(started),
      // Ollama reports `stop` for an answer that calls tools; callers see OpenAI's `tool_calls`.
      finishReason:
        toolCalls.length > 0 && data.done_reason === 'stop' ? 'tool_calls' : (data.done_reason ?? null),
    };
  }

  async check(options: { timeoutMs?: number; models?: string[] } = {}): Promise<ProviderCheck> {
    const base = { provider: this.name, locality: this.locality } as const;
    const started = performance.now();
    const attempt = attemptSignal(undefined, options.timeoutMs ?? 5000);
    const seen: SeenResponse = { response: null, body: null };
    try {
      const tags = tagsSchema.parse(await this.client(attempt, seen).list());
      const names = new Set(tags.models.map((model) => model.name));
      const has = (model: string) => names.has(model) || names.has(`${model}:latest`);
      const missing = (options.models ?? []).filter((model) => !has(model));
      const note = missing.length > 0 ? `; not pulled: ${missing.join(', ')}` : '';
      return {
        ...base,
        ok: true,
        detail: `${this.endpoint} answered in ${elapsedSince(started)} ms, ${names.size} models${note}`,
      };
    } catch (error) {
      const mapped = this.mapError(error, attempt, seen);
      return { ...base, ok: false, detail: `${this.endpoint}: ${errorMessage(mapped)}` };
    }
  }

  /**
   * A client per request: its fetch carries this request's signal and remembers the response and its
   * body. An error body reaches the package as `{"error": "<text>"}` whatever the server sent (a proxy's
   * HTML page), so the package reads the message itself and prints nothing.
   */
  private client(attempt: AttemptSignal, seen: SeenResponse): Ollama {
    return new Ollama({
      host: this.endpoint,
      fetch: async (input, init) => {
        const response = await fetch(input, { ...init, signal: attempt.signal });
        seen.response = response;
        const body = await response.text();
        seen.body = body;
        const status = { status: response.status, statusText: response.statusText };
        if (response.ok)
          return new Response(body === '' ? null : body, { ...status, headers: response.headers });
        const error = errorTextOf(body, response.status, response.statusText);
        return new Response(JSON.stringify({ error }), {
          ...status,
          headers: { 'content-type': 'application/json' },
        });
      },
    });
  }

  private mapError(error: unknown, attempt: AttemptSignal, seen: SeenResponse): OlympusError {
    const { response } = seen;
    if (attempt.timedOut()) {
      return providerError({
        provider: this.name,
        status: null,
        timedOut: true,
        reason: 'timed out',
        cause: error,
      });
    }
    if (attempt.callerAborted()) {
      return providerError({
        provider: this.name,
        status: null,
        aborted: true,
        reason: 'aborted',
        cause: error,
      });
    }
    // By name: the JSON parser of the fetch implementation may live in another realm.
    if (response?.ok && (error as { name?: unknown } | null)?.name === 'SyntaxError') {
      return unexpectedResponse(
        this.name,
        response.status,
        `the body is not JSON: ${bodySnippet(seen.body ?? '')}`,
        error,
      );
    }
    const status = (error as { status_code?: unknown }).status_code;
    if (typeof status === 'number') {
      return providerError({
        provider: this.name,
        status,
        retryAfterMs: parseRetryAfter(response?.headers),
        reason: errorMessage(error),
        cause: error,
      });
    }
    return providerError({ provider: this.name, status: null, reason: describeError(error), cause: error });
  }
}
