/**
 * A provider whose SDK is loaded on its first call: a process that configures a provider but never calls
 * it (and one that configures none) does not pay for the SDK's memory. Name, locality and endpoint are
 * known from the configuration without loading anything.
 */
import type {
  LlmChatRequest,
  LlmChatResponse,
  LlmProvider,
  ProviderCheck,
  ProviderLocality,
  ProviderName,
} from '../../../ports/llm-provider.js';
import { OPENAI_DEFAULT_BASE_URL } from './provider-endpoints.js';

export class LazyProvider implements LlmProvider {
  private loaded: Promise<LlmProvider> | null = null;

  constructor(
    readonly name: ProviderName,
    readonly locality: ProviderLocality,
    readonly endpoint: string,
    private readonly load: () => Promise<LlmProvider>,
  ) {}

  private provider(): Promise<LlmProvider> {
    this.loaded ??= this.load();
    return this.loaded;
  }

  async chat(request: LlmChatRequest): Promise<LlmChatResponse> {
    return (await this.provider()).chat(request);
  }

  async check(options?: { timeoutMs?: number; models?: string[] }): Promise<ProviderCheck> {
    return (await this.provider()).check(options);
  }
}

export function lazyOllama(host: string): LlmProvider {
  return new LazyProvider('ollama', 'local', host, async () => {
    const { OllamaProvider } = await import('./ollama-provider.js');
    return new OllamaProvider({ host });
  });
}

export function lazyOpenAi(options: { apiKey: string; baseUrl: string | null }): LlmProvider {
  return new LazyProvider('openai', 'cloud', options.baseUrl ?? OPENAI_DEFAULT_BASE_URL, async () => {
    const { OpenAiProvider } = await import('./openai-provider.js');
    return new OpenAiProvider(options);
  });
}
