/** Cost of one LLM answer from the price table (USD per million tokens). */
import type { ProviderLocality } from '../../ports/llm-provider.js';
import type { LlmPrice, LlmPriceTable, ProviderName } from './llm-settings.js';

export interface CostInput {
  provider: ProviderName;
  locality: ProviderLocality;
  /** The model we asked for (the table's key); `answeredModel` is tried too. */
  model: string;
  answeredModel?: string;
  inputTokens: number;
  outputTokens: number;
}

export interface Cost {
  cost: number;
  /** False when a cloud model had no price: the cost is recorded as 0 and flagged. */
  priced: boolean;
}

export function findPrice(
  prices: LlmPriceTable,
  provider: ProviderName,
  models: string[],
): LlmPrice | undefined {
  for (const model of models) {
    const price = prices[`${provider}/${model}`] ?? prices[model];
    if (price) return price;
  }
  return undefined;
}

export function costOf(prices: LlmPriceTable, input: CostInput): Cost {
  const models = [input.model, ...(input.answeredModel ? [input.answeredModel] : [])];
  const price = findPrice(prices, input.provider, models);
  if (!price) return { cost: 0, priced: input.locality === 'local' };
  const cost = (input.inputTokens * price.input + input.outputTokens * price.output) / 1_000_000;
  // Rounded to a millionth of a cent keeps sums stable without losing anything billable.
  return { cost: Math.round(cost * 1e8) / 1e8, priced: true };
}
