/**
 * The brain behind Hermes's intake turns: the LLM brain when a provider is configured, guided (no
 * language model) otherwise.
 */
import type { Logger } from '../../common/logging/logger.js';
import type { LlmRouter } from '../llm/llm-router.js';
import { GuidedIntakeBrain } from './guided-intake.js';
import type { IntakeBrain } from './intake-brain.js';
import { LlmIntakeBrain } from './llm-intake-brain.js';

export function chooseIntakeBrain(router: LlmRouter, logger: Logger): IntakeBrain {
  if (router.available) {
    logger.info('intake runs with a language model', {
      providers: router.providers.map((provider) => provider.name),
    });
    return new LlmIntakeBrain({ router });
  }
  logger.info('no LLM provider is configured; intake runs in guided mode');
  return new GuidedIntakeBrain();
}
