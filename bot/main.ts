/**
 * The composition root: builds the store, the scheduler and the surfaces from the configuration, in one
 * place, and stops them in reverse order. Nothing else wires dependencies.
 */
import { GuidedIntakeBrain } from '../agents/hermes/guided-intake.js';
import type { IntakeBrain } from '../agents/hermes/intake-brain.js';
import type { Logger } from '../common/logging/logger.js';
import { ClientMessageHandler } from '../handlers/intake/handle-client-message.js';
import { jobCatalogue } from '../orchestration/jobs/job-catalogue.js';
import { JobScheduler } from '../orchestration/jobs/scheduler.js';
import { openStore, type OpenedStore } from '../storage/open-store.js';
import type { Store } from '../storage/ports.js';
import type { Config } from './config/load-config.js';
import { consoleRoutes } from './console/console-routes.js';
import { createHttpApp, finishHttpApp, startHttpServer, type RunningHttpServer } from './http.js';

export type RunMode = 'start' | 'worker';

export interface RunningOlympus {
  store: Store;
  scheduler: JobScheduler;
  http: RunningHttpServer | null;
  /** Stops everything this process started, in reverse order. Safe to call more than once. */
  stop(): Promise<void>;
}

export async function startOlympus(config: Config, mode: RunMode, logger: Logger): Promise<RunningOlympus> {
  const cleanups: Array<() => Promise<void>> = [];
  const stop = once(async () => {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch (error) {
        logger.error('shutdown step failed', { error });
      }
    }
  });
  try {
    logger.info('opening store', { kind: config.store.kind });
    const opened: OpenedStore = await openStore(config.store, logger);
    cleanups.push(() => opened.close());
    await opened.store.init();
    logger.info('store ready', { store: opened.description });

    const scheduler = new JobScheduler({
      store: opened.store,
      logger: logger.child({ component: 'scheduler' }),
      settings: config.jobs,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      catalogue: jobCatalogue({ store: opened.store, logger }),
      work: true,
    });
    await scheduler.start();
    cleanups.push(() => scheduler.stop());

    let http: RunningHttpServer | null = null;
    if (mode === 'start') {
      const httpOptions = {
        host: config.http.host,
        port: config.http.port,
        logger,
        readiness: [
          { name: 'store', check: () => opened.store.ping() },
          {
            name: 'scheduler',
            check: () =>
              scheduler.isReady() ? Promise.resolve() : Promise.reject(new Error('scheduler not running')),
          },
        ],
      };
      const app = createHttpApp(httpOptions);
      const intake = new ClientMessageHandler({
        store: opened.store,
        brain: intakeBrain(config, logger),
        logger: logger.child({ component: 'intake' }),
      });
      app.use(
        consoleRoutes({
          store: opened.store,
          handler: intake,
          logger: logger.child({ component: 'console' }),
        }),
      );
      finishHttpApp(app, logger);
      http = await startHttpServer(app, httpOptions);
      const server = http;
      cleanups.push(() => server.close());
    }
    logger.info('olympus is up', { mode, http: http?.url ?? null });
    return { store: opened.store, scheduler, http, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The brain behind Hermes's intake turns. Guided (no language model) for now; the LLM brain built on the
 * router in agents/llm/ plugs in here when a provider is configured.
 */
function intakeBrain(config: Config, logger: Logger): IntakeBrain {
  const llmConfigured = config.llm.ollamaHost !== null || config.llm.openai !== null;
  if (llmConfigured)
    logger.info('an LLM provider is configured; intake still runs in guided mode until the LLM brain lands');
  return new GuidedIntakeBrain();
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  return () => (running ??= fn());
}
