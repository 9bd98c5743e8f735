/**
 * The LLM router: picks provider and model per call from a tier, prefers local, retries each provider on
 * retryable errors, falls back to the other provider, and writes a ledger entry for every answer.
 * Local-only work (project or client `localOnly`) never reaches a cloud provider.
 */
import { errorMessage, OlympusError } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { LedgerRepository } from '../../ports/store.js';
import { recordLlmCall } from './llm-ledger.js';
import { inSpan } from '../../common/tracing.js';
import type {
  LlmChatRequest,
  LlmChatResponse,
  LlmMessage,
  LlmProvider,
  ProviderCheck,
  ProviderName,
} from '../../ports/llm-provider.js';
import { LLM_CURRENCY, tierModels, type LlmPriceTable, type LlmTierTable } from './llm-settings.js';
import { withRetry, type RetryPolicy } from './retry.js';

export interface LlmCallOptions extends Omit<LlmChatRequest, 'model' | 'messages'> {
  /** Tier name from the tier table, e.g. `fast` or `reasoning`. */
  tier: string;
  messages: LlmMessage[];
  /** Data must stay on our machines. Also implied by `project.localOnly` or `client.localOnly`. */
  localOnly?: boolean;
  project?: { id: string; localOnly: boolean } | null;
  client?: { localOnly: boolean } | null;
  projectId?: string | null;
  taskId?: string | null;
  /** Only this provider (a repair goes back to the provider that wrote the answer). */
  provider?: ProviderName;
  /** Extra ledger metadata (purpose, agent…). */
  meta?: Record<string, unknown>;
  /** Names the call for the ledger (e.g. `llm:<task id>:<step>`): a replayed call is recorded once. */
  effectKey?: string;
}

export interface LlmCallResult extends LlmChatResponse {
  tier: string;
  cost: number;
  currency: string;
}

export interface LlmRouterOptions {
  providers: LlmProvider[];
  tiers: LlmTierTable;
  prices: LlmPriceTable;
  ledger: Pick<LedgerRepository, 'append'>;
  logger: Logger;
  timeoutMs: number;
  retry: RetryPolicy;
}

export interface RouteCandidate {
  provider: LlmProvider;
  model: string;
}

const LOCAL_ONLY_MESSAGE =
  'This work must stay on our own machines, and no local language model can take it right now, so it waits until one can. Nothing was sent to a cloud service.';
const NO_LLM_MESSAGE =
  'No language model is configured, so this step waits until an operator sets one up. Your message is kept.';
const DOWN_MESSAGE =
  "I couldn't reach a language model just now. Your message is kept and I'll get back to you shortly.";

export class LlmRouter {
  constructor(private readonly options: LlmRouterOptions) {}

  /** False when no provider is configured (intake then runs its guided mode). */
  get available(): boolean {
    return this.options.providers.length > 0;
  }

  get providers(): readonly LlmProvider[] {
    return this.options.providers;
  }

  /** Whether some configured provider may serve this tier (for local-only work: a local one). */
  canServe(tier: string, options: { localOnly?: boolean } = {}): boolean {
    const table = this.options.tiers[tier];
    if (!table) return false;
    return this.options.providers.some(
      (p) => table[p.name] !== undefined && (!options.localOnly || p.locality === 'local'),
    );
  }

  /** Providers to try, in order, with the tier's model for each. */
  route(tier: string, options: { localOnly?: boolean; provider?: ProviderName } = {}): RouteCandidate[] {
    const table = this.options.tiers[tier];
    if (!table) {
      const known = Object.keys(this.options.tiers).join(', ');
      throw new OlympusError(
        'CONFIG_INVALID',
        `unknown LLM tier "${tier}" (known: ${known}); add it to OLYMPUS_LLM_TIERS`,
      );
    }
    const preferred = table.prefer ?? 'local';
    return this.options.providers
      .filter((p) => options.provider === undefined || p.name === options.provider)
      .filter((p) => !options.localOnly || p.locality === 'local')
      .flatMap((provider) => {
        const model = table[provider.name];
        return model === undefined ? [] : [{ provider, model }];
      })
      .sort((a, b) => Number(b.provider.locality === preferred) - Number(a.provider.locality === preferred));
  }

  async chat(call: LlmCallOptions): Promise<LlmCallResult> {
    const localOnly =
      call.localOnly === true || call.project?.localOnly === true || call.client?.localOnly === true;
    if (!this.available) {
      throw new OlympusError(
        'LLM_UNAVAILABLE',
        'no LLM provider is configured (set OLLAMA_HOST or OPENAI_API_KEY)',
        {
          userMessage: NO_LLM_MESSAGE,
        },
      );
    }
    const candidates = this.route(call.tier, {
      localOnly,
      ...(call.provider ? { provider: call.provider } : {}),
    });
    if (candidates.length === 0) {
      if (localOnly) {
        throw new OlympusError(
          'LLM_LOCAL_ONLY',
          `local-only call for tier "${call.tier}": no local provider serves it`,
          {
            userMessage: LOCAL_ONLY_MESSAGE,
            details: { tier: call.tier },
          },
        );
      }
      throw new OlympusError('LLM_UNAVAILABLE', `no configured provider serves tier "${call.tier}"`, {
        userMessage: NO_LLM_MESSAGE,
        details: { tier: call.tier },
      });
    }
    const failures: { provider: string; model: string; error: unknown }[] = [];
    for (const candidate of candidates) {
      try {
        return await this.callWithRetry(candidate, call, localOnly);
      } catch (error) {
        if (call.signal?.aborted) throw error;
        failures.push({ provider: candidate.provider.name, model: candidate.model, error });
        this.options.logger.warn('llm provider failed', {
          provider: candidate.provider.name,
          model: candidate.model,
          tier: call.tier,
          error: errorMessage(error),
        });
      }
    }
    const summary = failures.map((f) => `${f.provider} (${f.model}): ${errorMessage(f.error)}`).join('; ');
    const last = failures[failures.length - 1]?.error;
    const details = {
      tier: call.tier,
      failures: failures.map((f) => ({
        provider: f.provider,
        model: f.model,
        message: errorMessage(f.error),
      })),
    };
    if (localOnly) {
      throw new OlympusError('LLM_LOCAL_ONLY', `local-only call for tier "${call.tier}" failed: ${summary}`, {
        userMessage: LOCAL_ONLY_MESSAGE,
        retryable: true,
        cause: last,
        details,
      });
    }
    throw new OlympusError('LLM_UNAVAILABLE', `every provider failed for tier "${call.tier}": ${summary}`, {
      userMessage: DOWN_MESSAGE,
      retryable: failures.some((f) => (f.error as { retryable?: unknown }).retryable === true),
      cause: last,
      details,
    });
  }

  /** One line per configured provider, for `olympus doctor`; never throws. */
  async checkProviders(options: { timeoutMs?: number } = {}): Promise<ProviderCheck[]> {
    return Promise.all(
      this.options.providers.map((provider) =>
        provider.check({
          timeoutMs: options.timeoutMs ?? 5000,
          models: tierModels(this.options.tiers, provider.name),
        }),
      ),
    );
  }

  private callWithRetry(
    candidate: RouteCandidate,
    call: LlmCallOptions,
    localOnly: boolean,
  ): Promise<LlmCallResult> {
    const { provider, model } = candidate;
    const attributes = {
      'gen_ai.system': provider.name,
      'gen_ai.request.model': model,
      'olympus.llm.tier': call.tier,
      'olympus.project_id': call.projectId ?? call.project?.id ?? '',
    };
    return inSpan('llm.call', attributes, async (span) => {
      const result = await this.attemptCall(candidate, call, localOnly);
      span.setAttributes({
        'gen_ai.usage.input_tokens': result.inputTokens,
        'gen_ai.usage.output_tokens': result.outputTokens,
        'olympus.llm.cost': result.cost,
      });
      return result;
    });
  }

  private async attemptCall(
    candidate: RouteCandidate,
    call: LlmCallOptions,
    localOnly: boolean,
  ): Promise<LlmCallResult> {
    const { provider, model } = candidate;
    const request: LlmChatRequest = {
      model,
      messages: call.messages,
      ...(call.responseFormat ? { responseFormat: call.responseFormat } : {}),
      ...(call.tools ? { tools: call.tools } : {}),
      ...(call.temperature === undefined ? {} : { temperature: call.temperature }),
      ...(call.maxTokens === undefined ? {} : { maxTokens: call.maxTokens }),
      ...(call.signal ? { signal: call.signal } : {}),
      timeoutMs: call.timeoutMs ?? this.options.timeoutMs,
    };
    let attempts = 0;
    const response = await withRetry(
      (attempt) => {
        attempts = attempt;
        return provider.chat(request);
      },
      this.options.retry,
      {
        ...(call.signal ? { signal: call.signal } : {}),
        onRetry: ({ attempt, delayMs, error }) =>
          this.options.logger.info('llm call retrying', {
            provider: provider.name,
            model,
            attempt,
            delayMs,
            error: errorMessage(error),
          }),
      },
    );
    const { cost } = await recordLlmCall(this.options, {
      response,
      locality: provider.locality,
      model,
      projectId: call.projectId ?? call.project?.id ?? null,
      taskId: call.taskId ?? null,
      meta: { ...call.meta, tier: call.tier, attempts, localOnly },
      ...(call.effectKey === undefined ? {} : { effectKey: call.effectKey }),
    });
    return { ...response, tier: call.tier, cost, currency: LLM_CURRENCY };
  }
}
