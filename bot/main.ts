/**
 * The composition root: builds the store, vault, scheduler, LLM router and surfaces from the
 * configuration, in one place, and stops them in reverse order. Nothing else wires dependencies.
 * Surfaces are loaded only when configured: an unused platform SDK costs no memory.
 */
import { hostname } from 'node:os';
import { chooseIntakeBrain } from '../agents/hermes/choose-brain.js';
import { loadAgentManifests } from '../agents/specialists/agent-manifest.js';
import { SingleCallAgent } from '../agents/specialists/agent-step.js';
import { createLlmRouter } from '../agents/llm/create-llm-router.js';
import type { Logger } from '../common/logging/logger.js';
import type { SecretRedactor } from '../common/logging/redactor.js';
import { ClientMessageHandler } from '../handlers/intake/handle-client-message.js';
import { DeferredJobQueue } from '../orchestration/deferred-job-queue.js';
import { jobCatalogue } from '../orchestration/jobs/job-catalogue.js';
import { Orchestrator } from '../orchestration/orchestrator.js';
import { JobScheduler } from '../orchestration/jobs/scheduler.js';
import { openStore } from '../storage/open-store.js';
import type { Store } from '../storage/ports.js';
import { openVault } from '../storage/vault/open-vault.js';
import type { Vault } from '../storage/vault/vault-port.js';
import type { Config } from './config/load-config.js';
import { consoleRoutes } from './console/console-routes.js';
import { createHttpApp, finishHttpApp, startHttpServer, type RunningHttpServer } from './http.js';
import { jobQueueSampler } from './metrics/job-queue-gauge.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { opsRoutes } from './ops/ops-routes.js';

/** start: everything in one process; bot: surfaces and HTTP, no job workers; worker: job workers only. */
export type RunMode = 'start' | 'bot' | 'worker';

export interface RunningOlympus {
  store: Store;
  vault: Vault;
  scheduler: JobScheduler;
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
  const { mode, logger, redactor } = options;
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
    const opened = await openStore(config.store, logger);
    cleanups.push(() => opened.close());
    await opened.store.init();
    const store = opened.store;
    logger.info('store ready', { store: opened.description });

    const vault = await openVault({ dataDir: config.dataDir, ...config.vault }, { logger, redactor });
    cleanups.push(() => vault.close());

    const metrics = createMetrics();
    // No I/O here: providers connect on their first call. Workers need the intake too (intake.redrive).
    const router = createLlmRouter({ config, store, logger: logger.child({ component: 'llm' }) });
    // The orchestrator enqueues through the scheduler, whose catalogue holds the orchestrator's jobs.
    const jobQueue = new DeferredJobQueue();
    const orchestrator = new Orchestrator({
      store,
      jobs: jobQueue,
      router,
      agents: new SingleCallAgent(router),
      manifests: loadAgentManifests(),
      logger: logger.child({ component: 'orchestrator' }),
      settings: { maxTaskAttempts: 3, taskLeaseMs: config.jobs.lockLifetimeMs },
      holder: `${hostname()}:${process.pid}`,
    });
    const intake = new ClientMessageHandler({
      store,
      brain: chooseIntakeBrain(router, logger),
      logger: logger.child({ component: 'intake' }),
      onHandOff: (projectId) => orchestrator.startPlanning(projectId),
    });
    // Card jobs run wherever workers run, so every mode knows how to sync Slack cards.
    const checkpointCards = config.slack
      ? (await import('./slack/checkpoint-cards.js')).createSlackCheckpointCards({
          settings: config.slack,
          store,
          logger: logger.child({ component: 'slack' }),
        })
      : undefined;
    const scheduler = new JobScheduler({
      store,
      logger: logger.child({ component: 'scheduler' }),
      settings: config.jobs,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      catalogue: jobCatalogue({ store, logger, intake, checkpointCards, orchestrator }),
      work: mode !== 'bot',
      metrics,
    });
    jobQueue.bind(scheduler);
    await scheduler.start();
    cleanups.push(() => scheduler.stop());

    if (mode !== 'worker' && config.email) {
      // Does not throw while the mail server is down: it logs and keeps reconnecting.
      const { createEmailSurface } = await import('./email/email-surface.js');
      const email = createEmailSurface({
        settings: config.email,
        store,
        intake,
        logger: logger.child({ component: 'email' }),
      });
      await email.start();
      cleanups.push(() => email.stop());
    }
    if (mode !== 'worker' && config.discord) {
      const { createDiscordSurface } = await import('./discord/discord-surface.js');
      const discord = createDiscordSurface({
        settings: config.discord,
        store,
        intake,
        logger: logger.child({ component: 'discord' }),
      });
      await discord.start();
      cleanups.push(() => discord.stop());
    }

    const port = mode === 'worker' ? config.http.workerPort : config.http.port;
    const httpOptions = {
      host: config.http.host,
      port,
      logger,
      readiness: [
        { name: 'store', check: () => store.ping() },
        {
          name: 'scheduler',
          check: () =>
            scheduler.isReady() ? Promise.resolve() : Promise.reject(new Error('scheduler not running')),
        },
      ],
      metrics: { registry: metrics.registry, beforeScrape: jobQueueSampler(metrics, scheduler) },
    };
    let http: RunningHttpServer | null = null;
    if (port > 0) {
      const app = createHttpApp(httpOptions);
      if (mode !== 'worker') {
        app.use(consoleRoutes({ store, handler: intake, logger: logger.child({ component: 'console' }) }));
        app.use(opsRoutes({ store, jobs: scheduler, logger: logger.child({ component: 'ops' }) }));
        const slack = config.slack?.signingSecret
          ? (await import('./slack/slack-surface.js')).createSlackSurface({
              settings: config.slack,
              store,
              scheduler,
              logger: logger.child({ component: 'slack' }),
              app,
              intake,
              metrics,
            })
          : null;
        if (slack) {
          await slack.start();
          cleanups.push(() => slack.stop());
        }
      }
      finishHttpApp(app, logger);
      const server = await startHttpServer(app, httpOptions);
      cleanups.push(() => server.close());
      http = server;
    }
    logger.info('olympus is up', { mode, http: http?.url ?? null });
    return { store, vault, scheduler, metrics, http, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | null = null;
  return () => (running ??= fn());
}
