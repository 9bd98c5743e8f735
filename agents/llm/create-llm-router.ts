/**
 * Builds the LLM router from the configuration, for the composition root. No I/O here: providers connect
 * on their first call. With no provider configured the router's `available` is false.
 */
import type { Logger } from '../../common/logging/logger.js';
import type { LedgerRepository } from '../../ports/store.js';
import type { LlmProvider, ProviderCheck } from '../../ports/llm-provider.js';
import { LlmRouter } from './llm-router.js';
import { tierModels, type LlmPriceTable, type LlmTierTable } from './llm-settings.js';
import { lazyOllama, lazyOpenAi } from './providers/lazy-provider.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';

/** The `llm` part of the configuration (bot/config `Config['llm']`). */
export interface LlmConfig {
  ollamaHost: string | null;
  openai: { apiKey: string; baseUrl: string | null } | null;
  tiers: LlmTierTable;
  prices: LlmPriceTable;
  timeoutMs: number;
  maxAttempts: number;
}

export interface CreateLlmRouterOptions {
  config: { llm: LlmConfig };
  store: { ledger: Pick<LedgerRepository, 'append'> };
  logger: Logger;
  /** Overrides of the backoff (tests use short delays). */
  retry?: Partial<Omit<RetryPolicy, 'maxAttempts'>>;
}

export function createLlmProviders(config: LlmConfig): LlmProvider[] {
  const providers: LlmProvider[] = [];
  // Each SDK is loaded on the provider's first call (lazy-provider.ts).
  if (config.ollamaHost) providers.push(lazyOllama(config.ollamaHost));
  if (config.openai) providers.push(lazyOpenAi(config.openai));
  return providers;
}

export function createLlmRouter(options: CreateLlmRouterOptions): LlmRouter {
  const { llm } = options.config;
  const providers = createLlmProviders(llm);
  options.logger.debug('llm router created', {
    providers: providers.map((p) => `${p.name} (${p.locality}) ${p.endpoint}`),
    tiers: Object.keys(llm.tiers),
  });
  return new LlmRouter({
    providers,
    tiers: llm.tiers,
    prices: llm.prices,
    ledger: options.store.ledger,
    logger: options.logger,
    timeoutMs: llm.timeoutMs,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry, maxAttempts: llm.maxAttempts },
  });
}

/** `olympus doctor`: one line per configured LLM provider (none when none is configured); never throws. */
export async function checkProviders(
  config: { llm: LlmConfig },
  options: { timeoutMs?: number } = {},
): Promise<ProviderCheck[]> {
  return Promise.all(
    createLlmProviders(config.llm).map((provider) =>
      provider.check({
        timeoutMs: options.timeoutMs ?? 5000,
        models: tierModels(config.llm.tiers, provider.name),
      }),
    ),
  );
}
