/** The LLM layer's public face: what the composition root, agents and `doctor` use. */
export { checkProviders, createLlmProviders, createLlmRouter } from './create-llm-router.js';
export type { CreateLlmRouterOptions, LlmConfig } from './create-llm-router.js';
export type {
  LlmChatRequest,
  LlmChatResponse,
  LlmMessage,
  LlmProvider,
  LlmResponseFormat,
  LlmToolCall,
  LlmToolDefinition,
  ProviderCheck,
  ProviderLocality,
  ProviderName,
} from '../../ports/llm-provider.js';
export { LlmRouter } from './llm-router.js';
export type { LlmCallOptions, LlmCallResult, RouteCandidate } from './llm-router.js';
export { DEFAULT_PRICES, DEFAULT_TIERS, LLM_CURRENCY } from './llm-settings.js';
export type { LlmPriceTable, LlmTierTable } from './llm-settings.js';
export { generateStructured, parseStructured } from './structured-output.js';
export type { StructuredCallOptions, StructuredResult } from './structured-output.js';
