/**
 * The composition root: builds the store, vault, scheduler, LLM router and surfaces from the
 * configuration, in one place, and stops them in reverse order. Nothing else wires dependencies; each
 * part is wired by one small function in bot/wiring/. Surfaces are loaded only when configured: an
 * unused platform SDK costs no memory.
 */
import type { Logger } from '../common/logging/logger.js';
import type { SecretRedactor } from '../common/logging/redactor.js';
import type { Store } from '../ports/store.js';
import type { Vault } from '../ports/vault.js';
import type { AgendaJobQueue } from '../storage/agenda/agenda-job-queue.js';
import type { Config } from './config/load-config.js';
import type { RunningHttpServer } from './http.js';
import type { Metrics } from './metrics/metrics.js';
import { wireDiscord, wireEmail, wireNoticeSweeper } from './wiring/chat-surfaces.js';
import { wireCheckpointSurface } from './wiring/checkpoint-surface.js';
import { wireCore, wireTracing } from './wiring/core.js';
import { checkConsoleAccess, wireHttp } from './wiring/http-surfaces.js';
import { wireIntake } from './wiring/intake.js';
import { createWiring, type RunMode } from './wiring/lifecycle.js';
import { wireWork } from './wiring/orchestration.js';
import { wireScheduler } from './wiring/scheduler.js';

export type { RunMode } from './wiring/lifecycle.js';

export interface RunningOlympus {
  store: Store;
  vault: Vault;
  scheduler: AgendaJobQueue;
  metrics: Metrics;
  http: RunningHttpServer | null;
  /** Stops everything this process started, in reverse order. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface StartOptions {
  mode: RunMode;
  logger: Logger;
  /** Every secret value the process learns (vault values) is registered here. */
  redactor: SecretRedactor;
}

export async function startOlympus(config: Config, options: StartOptions): Promise<RunningOlympus> {
  const { wiring, stopAll } = createWiring(config, options);
  try {
    await wireTracing(wiring);
    const access = checkConsoleAccess(wiring);
    const core = await wireCore(wiring);
    const work = wireWork(wiring, core);
    const intake = wireIntake(wiring, core, work);
    const checkpoints = await wireCheckpointSurface(wiring, core, work);
    const scheduler = await wireScheduler(wiring, core, work, intake, checkpoints);
    await wireEmail(wiring, core, work, intake);
    await wireDiscord(wiring, core, work, intake);
    wireNoticeSweeper(wiring, work);
    const http = await wireHttp(wiring, core, scheduler, intake, access);
    options.logger.info('olympus is up', { mode: options.mode, http: http?.url ?? null });
    return { ...core, scheduler, http, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
