/**
 * The brain behind Hermes's intake turns: guided (no language model) until an LLM brain is available
 * for the configured providers.
 */
import type { Logger } from '../../common/logging/logger.js';
import type { LlmRouter } from '../llm/llm-router.js';
import { GuidedIntakeBrain } from './guided-intake.js';
import type { IntakeBrain } from './intake-brain.js';

export function chooseIntakeBrain(router: LlmRouter, logger: Logger): IntakeBrain {
  if (router.available) {
    logger.info('an LLM provider is configured; intake runs in guided mode until the LLM brain lands');
  }
  return new GuidedIntakeBrain();
}
