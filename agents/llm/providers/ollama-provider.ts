/** Local provider: an Ollama server (the `ollama` package, `host` from OLLAMA_HOST). */
import { Ollama, type Message, type Tool } from 'ollama';
import { z } from 'zod';
import { errorMessage, OlympusError } from '../../../common/errors.js';
import {
  attemptSignal,
  describeError,
  elapsedSince,
  parseRetryAfter,
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

export interface OllamaProviderOptions {
  host: string;
}

const chatResponseSchema = z.object({
  model: z.string(),
  message: z.object({
    content: z.string().nullish(),
    tool_calls: z
      .array(z.object({ function: z.object({ name: z.string(), arguments: z.unknown() }) }))
      .nullish(),
  }),
  done_reason: z.string().nullish(),
  prompt_eval_count: z.number().nullish(),
  eval_count: z.number().nullish(),
});

const tagsSchema = z.object({ models: z.array(z.object({ name: z.string() })) });

function toOllamaMessage(message: LlmMessage): Message {
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
                function: { name: call.name, arguments: call.arguments ?? {} },
              })),
            }
          : {}),
      };
    case 'tool':
      return { role: 'tool', content: message.content, tool_name: message.toolName };
  }
}

function toolCallOf(call: { function: { name: string; arguments: unknown } }, index: number): LlmToolCall {
  const args = call.function.arguments;
  const isObject = typeof args === 'object' && args !== null && !Array.isArray(args);
  return {
    id: `call_${index}`,
    name: call.function.name,
    argumentsJson: JSON.stringify(args ?? {}),
    arguments: isObject ? (args as Record<string, unknown>) : null,
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
    const seen: { response: Response | null } = { response: null };
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
      throw this.mapError(error, attempt, seen.response);
    }
    const parsed = chatResponseSchema.safeParse(raw);
    if (!parsed.success) {
      throw new OlympusError('LLM_UNAVAILABLE', `ollama: unexpected response (${parsed.error.message})`, {
        retryable: false,
        details: { provider: this.name, status: 200 },
      });
    }
    const { data } = parsed;
    return {
      text: data.message.content ?? '',
      toolCalls: (data.message.tool_calls ?? []).map(toolCallOf),
      inputTokens: data.prompt_eval_count ?? 0,
      outputTokens: data.eval_count ?? 0,
      model: data.model,
      provider: this.name,
      latencyMs: elapsedSince(started),
      finishReason: data.done_reason ?? null,
    };
  }

  async check(options: { timeoutMs?: number; models?: string[] } = {}): Promise<ProviderCheck> {
    const base = { provider: this.name, locality: this.locality } as const;
    const started = performance.now();
    const attempt = attemptSignal(undefined, options.timeoutMs ?? 5000);
    const seen: { response: Response | null } = { response: null };
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
      const mapped = this.mapError(error, attempt, seen.response);
      return { ...base, ok: false, detail: `${this.endpoint}: ${errorMessage(mapped)}` };
    }
  }

  /** A client per request: its fetch carries this request's signal and remembers the response headers. */
  private client(attempt: AttemptSignal, seen: { response: Response | null }): Ollama {
    return new Ollama({
      host: this.endpoint,
      fetch: async (input, init) => {
        const response = await fetch(input, { ...init, signal: attempt.signal });
        seen.response = response;
        return response;
      },
    });
  }

  private mapError(error: unknown, attempt: AttemptSignal, response: Response | null): OlympusError {
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
