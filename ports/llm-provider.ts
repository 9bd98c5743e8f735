/**
 * The LLM provider port: one chat call, the same for a local Ollama and any OpenAI-compatible cloud API.
 * Adapters (providers/) are the only files that import an SDK. They make exactly one request per call
 * (the router retries) and throw OlympusError 'LLM_UNAVAILABLE' with `retryable` and, when the server
 * sent one, `details.retryAfterMs`.
 */
export const PROVIDER_NAMES = ['ollama', 'openai'] as const;
export type ProviderName = (typeof PROVIDER_NAMES)[number];

/** Local providers keep data on our machines; cloud providers do not. */
export type ProviderLocality = 'local' | 'cloud';

export interface LlmToolCall {
  /** The provider's id for the call (generated when the provider gives none). */
  id: string;
  name: string;
  /** The arguments as JSON text, exactly as the model wrote them. */
  argumentsJson: string;
  /** The parsed arguments; null when the model wrote something that is not a JSON object. */
  arguments: Record<string, unknown> | null;
}

export type LlmMessage =
  | { role: 'system' | 'user'; content: string }
  | { role: 'assistant'; content: string; toolCalls?: LlmToolCall[] }
  | { role: 'tool'; content: string; toolCallId: string; toolName: string };

export interface LlmToolDefinition {
  name: string;
  description?: string;
  /** JSON schema of the arguments object. */
  parameters: Record<string, unknown>;
}

export interface LlmResponseFormat {
  /** A short name for the schema (OpenAI requires one). */
  name: string;
  /** JSON schema the reply must match. */
  schema: Record<string, unknown>;
}

export interface LlmChatRequest {
  model: string;
  messages: LlmMessage[];
  /** Ask for JSON matching this schema. */
  responseFormat?: LlmResponseFormat;
  tools?: LlmToolDefinition[];
  temperature?: number;
  maxTokens?: number;
  /** Aborts the request (the caller gave up). */
  signal?: AbortSignal;
  /** Time limit of this request; a timeout is a retryable LLM_UNAVAILABLE. */
  timeoutMs?: number;
}

export interface LlmChatResponse {
  text: string;
  toolCalls: LlmToolCall[];
  inputTokens: number;
  outputTokens: number;
  /** The model that answered, as the provider reports it. */
  model: string;
  provider: ProviderName;
  latencyMs: number;
  finishReason: string | null;
}

export interface ProviderCheck {
  provider: ProviderName;
  locality: ProviderLocality;
  ok: boolean;
  detail: string;
}

export interface LlmProvider {
  readonly name: ProviderName;
  readonly locality: ProviderLocality;
  /** Where requests go (for logs and `doctor`). */
  readonly endpoint: string;
  chat(request: LlmChatRequest): Promise<LlmChatResponse>;
  /** One cheap request that proves the provider answers (lists models); never throws. */
  check(options?: { timeoutMs?: number; models?: string[] }): Promise<ProviderCheck>;
}
