/**
 * What every wiring step shares: the configuration, the logger and the list of stops. A step that starts
 * something pushes its stop; `stopAll` runs them in reverse order, logging (never throwing) a failed one.
 */
import type { Logger } from '../../common/logging/logger.js';
import type { SecretRedactor } from '../../common/logging/redactor.js';
import type { Config } from '../config/load-config.js';

/** start: everything in one process; bot: surfaces and HTTP, no job workers; worker: job workers only. */
export type RunMode = 'start' | 'bot' | 'worker';

export interface Wiring {
  config: Config;
  mode: RunMode;
  logger: Logger;
  redactor: SecretRedactor;
  /** Registers a stop; stops run in reverse order of registration. */
  onStop: (stop: () => Promise<void> | void) => void;
}

export function createWiring(
  config: Config,
  options: { mode: RunMode; logger: Logger; redactor: SecretRedactor },
): { wiring: Wiring; stopAll: () => Promise<void> } {
  const stops: Array<() => Promise<void> | void> = [];
  const wiring: Wiring = { config, ...options, onStop: (stop) => void stops.push(stop) };
  let stopping: Promise<void> | null = null;
  const stopAll = () =>
    (stopping ??= (async () => {
      for (const stop of stops.reverse()) {
        try {
          await stop();
        } catch (error) {
          options.logger.error('shutdown step failed', { error });
        }
      }
    })());
  return { wiring, stopAll };
}
