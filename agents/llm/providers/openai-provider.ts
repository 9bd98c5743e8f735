/** OpenAI-compatible cloud provider (the `openai` package; `baseURL` reaches any compatible server). */
import OpenAI, { APIError, APIUserAbortError } from 'openai';
import { z } from 'zod';
import { errorMessage, type OlympusError } from '../../../common/errors.js';
import {
  attemptSignal,
  describeError,
  elapsedSince,
  parseRetryAfter,
  parseToolArguments,
  providerError,
} from '../llm-errors.js';
import type {
  LlmChatRequest,
  LlmChatResponse,
  LlmMessage,
  LlmProvider,
  LlmToolCall,
  ProviderCheck,
} from '../../../ports/llm-provider.js';
import { OPENAI_DEFAULT_BASE_URL } from './provider-endpoints.js';
import { parseJsonBody, unexpectedResponse } from './response-body.js';

export interface OpenAiProviderOptions {
  apiKey: string;
  /** Any OpenAI-compatible base URL; OpenAI's own when null. */
  baseUrl: string | null;
}

const completionSchema = z.object({
  model: z.string(),
  choices: z
    .array(
      z.object({
        finish_reason: z.string().nullish(),
        message: z.object({
          content: z.string().nullish(),
          tool_calls: z
            .array(
              z.object({
                id: z.string(),
                type: z.string().optional(),
                function: z.object({ name: z.string(), arguments: z.string() }),
              }),
            )
            .nullish(),
        }),
      }),
    )
    .min(1, 'no choices in the response'),
  usage: z.object({ prompt_tokens: z.number(), completion_tokens: z.number() }).nullish(),
});

type OpenAiMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;

function toOpenAiMessage(message: LlmMessage): OpenAiMessage {
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
                type: 'function' as const,
                function: { name: call.name, arguments: call.argumentsJson },
              })),
            }
          : {}),
      };
    case 'tool':
      return { role: 'tool', content: message.content, tool_call_id: message.toolCallId };
  }
}

export class OpenAiProvider implements LlmProvider {
  readonly name = 'openai' as const;
  readonly locality = 'cloud' as const;
  readonly endpoint: string;
  private readonly client: OpenAI;

  constructor(options: OpenAiProviderOptions) {
    this.endpoint = options.baseUrl ?? OPENAI_DEFAULT_BASE_URL;
    // We retry ourselves (router), so the SDK must not.
    // Everything explicit, so the SDK reads no environment variable of its own; we log, it does not.
    this.client = new OpenAI({
      apiKey: options.apiKey,
      baseURL: this.endpoint,
      maxRetries: 0,
      organization: null,
      project: null,
      adminAPIKey: null,
      webhookSecret: null,
      logLevel: 'off',
    });
  }

  async chat(request: LlmChatRequest): Promise<LlmChatResponse> {
    const started = performance.now();
    const attempt = attemptSignal(request.signal, request.timeoutMs);
    let status: number;
    let text: string;
    try {
      // The raw response: the body is read and parsed here, so a body that is not JSON gets a clear error.
      const response = await this.client.chat.completions
        .create(
          {
            model: request.model,
            messages: request.messages.map(toOpenAiMessage),
            ...(request.temperature === undefined ? {} : { temperature: request.temperature }),
            ...(request.maxTokens === undefined ? {} : { max_completion_tokens: request.maxTokens }),
            ...(request.responseFormat
              ? {
                  response_format: {
                    type: 'json_schema' as const,
                    json_schema: {
                      name: request.responseFormat.name,
                      schema: request.responseFormat.schema,
                      strict: false,
                    },
                  },
                }
              : {}),
            ...(request.tools && request.tools.length > 0
              ? {
                  tools: request.tools.map((tool) => ({
                    type: 'function' as const,
                    function: {
                      name: tool.name,
                      ...(tool.description === undefined ? {} : { description: tool.description }),
                      parameters: tool.parameters,
                    },
                  })),
                }
              : {}),
          },
          { signal: attempt.signal, maxRetries: 0 },
        )
        .asResponse();
      status = response.status;
      text = await response.text();
    } catch (error) {
      throw this.mapError(error, attempt.timedOut(), attempt.callerAborted());
    }
    const parsed = completionSchema.safeParse(parseJsonBody(this.name, status, text));
    if (!parsed.success) throw unexpectedResponse(this.name, status, parsed.error.message);
    const choice = parsed.data.choices[0]!;
    const toolCalls: LlmToolCall[] = (choice.message.tool_calls ?? []).map((call) => ({
      id: call.id,
      name: call.function.name,
      argumentsJson: call.function.arguments,
      arguments: parseToolArguments(call.function.arguments),
    }));
    // Some compatible servers report `stop` for an answer that calls tools; callers see one vocabulary.
    const finishReason =
      toolCalls.length > 0 && choice.finish_reason === 'stop' ? 'tool_calls' : (choice.finish_reason ?? null);
    return {
      text: choice.message.content ?? '',
      toolCalls,
      inputTokens: parsed.data.usage?.prompt_tokens ?? 0,
      outputTokens: parsed.data.usage?.completion_tokens ?? 0,
      model: parsed.data.model,
      provider: this.name,
      latencyMs: elapsedSince(started),
      finishReason,
    };
  }

  async check(options: { timeoutMs?: number; models?: string[] } = {}): Promise<ProviderCheck> {
    const base = { provider: this.name, locality: this.locality } as const;
    const started = performance.now();
    try {
      const page = await this.client.models.list({ timeout: options.timeoutMs ?? 5000, maxRetries: 0 });
      const names = new Set(page.data.map((model) => model.id));
      const missing = (options.models ?? []).filter((model) => !names.has(model));
      const note = missing.length > 0 ? `; not listed: ${missing.join(', ')}` : '';
      return {
        ...base,
        ok: true,
        detail: `${this.endpoint} answered in ${elapsedSince(started)} ms, ${names.size} models${note}`,
      };
    } catch (error) {
      return {
        ...base,
        ok: false,
        detail: `${this.endpoint}: ${errorMessage(this.mapError(error, false, false))}`,
      };
    }
  }

  private mapError(error: unknown, timedOut: boolean, callerAborted: boolean): OlympusError {
    if (timedOut) {
      return providerError({
        provider: this.name,
        status: null,
        timedOut,
        reason: 'timed out',
        cause: error,
      });
    }
    if (callerAborted || error instanceof APIUserAbortError) {
      return providerError({
        provider: this.name,
        status: null,
        aborted: true,
        reason: 'aborted',
        cause: error,
      });
    }
    if (error instanceof APIError && typeof error.status === 'number') {
      return providerError({
        provider: this.name,
        status: error.status,
        retryAfterMs: parseRetryAfter(error.headers as Headers | undefined),
        reason: error.message,
        cause: error,
      });
    }
    // APIConnectionError and anything else that got no HTTP answer.
    return providerError({ provider: this.name, status: null, reason: describeError(error), cause: error });
  }
}
