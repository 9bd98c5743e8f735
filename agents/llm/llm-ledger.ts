/** Writes the ledger entry of one answered LLM call, with its cost from the price table. */
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { LedgerRepository } from '../../ports/store.js';
import { costOf, type Cost } from './llm-cost.js';
import type { LlmChatResponse, ProviderLocality } from '../../ports/llm-provider.js';
import { LLM_CURRENCY, type LlmPriceTable } from './llm-settings.js';

export interface LedgerDeps {
  ledger: Pick<LedgerRepository, 'append'>;
  prices: LlmPriceTable;
  logger: Logger;
}

export interface AnsweredCall {
  response: LlmChatResponse;
  locality: ProviderLocality;
  /** The model asked for (the tier's); the answered model goes to `meta.answeredModel`. */
  model: string;
  projectId: string | null;
  taskId: string | null;
  meta: Record<string, unknown>;
  /** Insert-if-absent key of the entry (a replayed call is recorded once). */
  effectKey?: string;
}

/**
 * Never throws: the answer is paid for already, and losing it over a failed ledger write would only mean
 * paying twice. A failed write is logged as an error with the cost.
 */
export async function recordLlmCall(deps: LedgerDeps, call: AnsweredCall): Promise<Cost> {
  const { response, model } = call;
  const cost = costOf(deps.prices, {
    provider: response.provider,
    locality: call.locality,
    model,
    answeredModel: response.model,
    inputTokens: response.inputTokens,
    outputTokens: response.outputTokens,
  });
  if (!cost.priced) {
    deps.logger.warn('llm model has no price; ledger cost recorded as 0', {
      provider: response.provider,
      model,
    });
  }
  try {
    await deps.ledger.append({
      kind: 'llm',
      provider: response.provider,
      model,
      inputTokens: response.inputTokens,
      outputTokens: response.outputTokens,
      cost: cost.cost,
      currency: LLM_CURRENCY,
      latencyMs: response.latencyMs,
      projectId: call.projectId,
      taskId: call.taskId,
      meta: { ...call.meta, priced: cost.priced, answeredModel: response.model },
      ...(call.effectKey === undefined ? {} : { effectKey: call.effectKey }),
    });
  } catch (error) {
    deps.logger.error('llm ledger entry not written', {
      provider: response.provider,
      model,
      cost: cost.cost,
      error: errorMessage(error),
    });
  }
  return cost;
}
