/**
 * The composition root: builds the store, vault, scheduler, LLM router and surfaces from the
 * configuration, in one place, and stops them in reverse order. Nothing else wires dependencies.
 * Surfaces are loaded only when configured: an unused platform SDK costs no memory.
 */
import { hostname } from 'node:os';
import { chooseIntakeBrain } from '../agents/hermes/choose-brain.js';
import { loadAgentManifests } from '../agents/specialists/agent-manifest.js';
import { ToolLoopAgent } from '../agents/specialists/tool-loop-agent.js';
import { privilegedTools } from '../agents/tools/privileged-tools.js';
import { Workspaces } from '../agents/workspace/project-workspace.js';
import { createLlmRouter } from '../agents/llm/create-llm-router.js';
import type { Logger } from '../common/logging/logger.js';
import type { SecretRedactor } from '../common/logging/redactor.js';
import { ClientRateLimiter } from '../handlers/intake/client-rate-limit.js';
import { ClientMessageHandler } from '../handlers/intake/handle-client-message.js';
import { DeferredJobQueue } from '../orchestration/deferred-job-queue.js';
import { ClientNotices } from '../orchestration/notices/client-notices.js';
import { NoticeDelivery } from '../handlers/notify/deliver-notices.js';
import { NotifierRegistry } from '../handlers/notify/notifier-registry.js';
import { startNoticeSweeper } from '../handlers/notify/notice-sweeper.js';
import { IdentityLinker } from '../handlers/identities/identity-linker.js';
import { LinkingIntake } from '../handlers/identities/linking-intake.js';
import { parseDigestSchedule } from '../orchestration/digest/digest-schedule.js';
import { ProjectDigests } from '../orchestration/digest/project-digests.js';
import { requestDigest } from '../orchestration/digest/request-digest.js';
import { jobCatalogue } from '../orchestration/jobs/job-catalogue.js';
import { Orchestrator } from '../orchestration/orchestrator.js';
import {
  budgetSettings,
  credentialLeaseMinutes,
  deploySettings,
} from '../orchestration/budget/budget-config.js';
import { BudgetDecisions } from '../orchestration/budget/budget-decisions.js';
import { BudgetGate } from '../orchestration/budget/budget-gate.js';
import { agentShellSettings } from '../orchestration/orchestrator-settings.js';
import { JobScheduler } from '../orchestration/jobs/scheduler.js';
import { openStore } from '../storage/open-store.js';
import type { Store } from '../ports/store.js';
import { openVault } from '../storage/vault/open-vault.js';
import type { Vault } from '../ports/vault.js';
import type { Config } from './config/load-config.js';
import { assertConsoleAccess, consoleAccessSettings } from './console/console-access.js';
import { ConsoleEvents } from './console/console-events.js';
import { consoleRoutes } from './console/console-routes.js';
import { consoleWeb } from './console/console-web.js';
import { createHttpApp, finishHttpApp, startHttpServer, type RunningHttpServer } from './http.js';
import { jobQueueSampler } from './metrics/job-queue-gauge.js';
import { instrumentStore } from './metrics/instrumented-store.js';
import { applyRoleMap } from '../handlers/access/role-map.js';
import { createCheckpointReminders } from '../handlers/checkpoints/checkpoint-reminders.js';
import { OLYMPUS_VERSION } from './version.js';
import { createMetrics, type Metrics } from './metrics/metrics.js';
import { opsRoutes } from './ops/ops-routes.js';
import { provideCredentialRoute } from './ops/provide-credential-route.js';

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
    if (config.tracing) {
      const { startTracing } = await import('./tracing/otel-setup.js');
      const tracing = startTracing(
        { ...config.tracing, serviceVersion: OLYMPUS_VERSION, attributes: { 'olympus.mode': mode } },
        logger,
      );
      cleanups.push(() => tracing.shutdown());
    }
    // A console reachable from other machines needs a login: refuse to start without one.
    const consoleAccess = consoleAccessSettings(config.resolved);
    if (mode !== 'worker' && config.http.port > 0) assertConsoleAccess(config.http.host, consoleAccess);
    logger.info('opening store', { kind: config.store.kind });
    const opened = await openStore(config.store, logger);
    cleanups.push(() => opened.close());
    await opened.store.init();
    const metrics = createMetrics();
    // Checkpoint and LLM metrics are counted where those facts are stored.
    const store = instrumentStore(opened.store, metrics);
    await applyRoleMap(store, config.access);
    logger.info('store ready', { store: opened.description });

    const vault = await openVault({ dataDir: config.dataDir, ...config.vault }, { logger, redactor });
    cleanups.push(() => vault.close());

    // No I/O here: providers connect on their first call. Workers need the intake too (intake.redrive).
    const router = createLlmRouter({ config, store, logger: logger.child({ component: 'llm' }) });
    // The orchestrator enqueues through the scheduler, whose catalogue holds the orchestrator's jobs.
    const jobQueue = new DeferredJobQueue();
    // Client notices and digests: recorded in the outbox, delivered by the notifier of each thread's surface.
    const notifiers = new NotifierRegistry();
    const noticeLogger = logger.child({ component: 'notices' });
    const notices = new ClientNotices({ store, jobs: jobQueue, logger: noticeLogger });
    const noticeDelivery = new NoticeDelivery({
      store,
      notifiers,
      logger: noticeLogger,
      holder: `${hostname()}:${process.pid}`,
    });
    const digests = new ProjectDigests({
      store,
      notices,
      jobs: jobQueue,
      schedule: parseDigestSchedule(config.digestSchedule),
      logger: noticeLogger,
    });
    const orchestrator = new Orchestrator({
      store,
      jobs: jobQueue,
      router,
      agents: new ToolLoopAgent({
        store,
        jobs: jobQueue,
        router,
        workspaces: new Workspaces(config.dataDir),
        logger: logger.child({ component: 'agents' }),
        shell: agentShellSettings(config.resolved),
        spendGate: new BudgetGate({ store, jobs: jobQueue, settings: budgetSettings(config.resolved) }),
        extraTools: privilegedTools({
          store,
          jobs: jobQueue,
          vault,
          budget: budgetSettings(config.resolved),
          deploy: deploySettings(config.resolved),
          leaseMinutes: credentialLeaseMinutes(config.resolved),
        }),
      }),
      manifests: loadAgentManifests(),
      logger: logger.child({ component: 'orchestrator' }),
      settings: { maxTaskAttempts: 3, taskLeaseMs: config.jobs.lockLifetimeMs },
      holder: `${hostname()}:${process.pid}`,
    });
    const intake = new ClientMessageHandler({
      store,
      brain: chooseIntakeBrain(router, logger),
      logger: logger.child({ component: 'intake' }),
      onHandOff: async (projectId) => {
        await requestDigest({ jobs: jobQueue, logger: noticeLogger }, projectId, 'brief_confirmed');
        await orchestrator.startPlanning(projectId);
      },
      rateLimiter: new ClientRateLimiter({ perMinute: config.clientRateLimit, counters: store.rateCounters }),
    });
    // Surfaces reach the intake through identity linking ("link me to …" and one-time codes).
    const clientIntake = new LinkingIntake(
      intake,
      new IdentityLinker({ store, notifiers, logger: noticeLogger }),
      store,
      logger.child({ component: 'identity-links' }),
    );
    // Card jobs run wherever workers run, so every mode knows how to sync Slack cards.
    const checkpointCards = config.slack
      ? (await import('./slack/checkpoint-cards.js')).createSlackCheckpointCards({
          settings: config.slack,
          store,
          logger: logger.child({ component: 'slack' }),
        })
      : undefined;
    // Reminders, escalation and expiry of waiting checkpoints (the `checkpoint.remind` sweep).
    // Without Slack there is nowhere to post reminders, but pending checkpoints still expire.
    const checkpointReminders = config.slack
      ? (await import('./slack/checkpoint-reminders.js')).createSlackCheckpointReminders({
          settings: config.slack,
          times: config.checkpoints,
          store,
          jobs: jobQueue,
          logger: logger.child({ component: 'slack' }),
        })
      : createCheckpointReminders({ store, times: config.checkpoints, jobs: jobQueue, logger });
    if (config.slack) {
      const { createSlackNotifier } = await import('./slack/slack-notifier.js');
      notifiers.register(
        createSlackNotifier({ settings: config.slack, store, logger: logger.child({ component: 'slack' }) }),
      );
    }
    const scheduler = new JobScheduler({
      store,
      logger: logger.child({ component: 'scheduler' }),
      settings: config.jobs,
      shutdownTimeoutMs: config.shutdownTimeoutMs,
      catalogue: jobCatalogue({
        store,
        logger,
        intake,
        checkpointCards,
        checkpointReminders,
        orchestrator,
        budget: new BudgetDecisions({ store, jobs: jobQueue }),
        notices: noticeDelivery,
        digests,
      }),
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
        intake: clientIntake,
        logger: logger.child({ component: 'email' }),
      });
      await email.start();
      cleanups.push(() => email.stop());
      const unregister = notifiers.register(email.notifier);
      cleanups.push(() => Promise.resolve(unregister()));
    }
    if (mode !== 'worker' && config.discord) {
      const { createDiscordSurface } = await import('./discord/discord-surface.js');
      const discord = createDiscordSurface({
        settings: config.discord,
        store,
        intake: clientIntake,
        logger: logger.child({ component: 'discord' }),
      });
      await discord.start();
      cleanups.push(() => discord.stop());
      const unregister = notifiers.register(discord.notifier);
      cleanups.push(() => Promise.resolve(unregister()));
    }

    if (mode === 'bot') {
      // No workers here to run `client.notify`: this process holds the surfaces, so it delivers.
      const stopSweeper = startNoticeSweeper(noticeDelivery, 30_000, noticeLogger);
      cleanups.push(() => Promise.resolve(stopSweeper()));
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
        const consoleLogger = logger.child({ component: 'console' });
        const consoleEvents = new ConsoleEvents(store, consoleLogger);
        cleanups.push(() => Promise.resolve(consoleEvents.close()));
        app.use(
          consoleRoutes({
            store,
            handler: clientIntake,
            logger: consoleLogger,
            access: consoleAccess,
            events: consoleEvents,
            jobs: scheduler,
            vault,
          }),
        );
        app.use(
          opsRoutes({
            store,
            jobs: scheduler,
            logger: logger.child({ component: 'ops' }),
            access: consoleAccess,
          }),
        );
        app.use(
          provideCredentialRoute({
            store,
            vault,
            jobs: scheduler,
            logger: logger.child({ component: 'ops' }),
            access: consoleAccess,
          }),
        );
        app.use(
          await consoleWeb({
            store,
            logger: consoleLogger,
            access: consoleAccess,
            agenda: () => scheduler.dashboardAgenda(),
          }),
        );
        const slack =
          config.slack && (config.slack.signingSecret || config.slack.appToken)
            ? (await import('./slack/slack-surface.js')).createSlackSurface({
                settings: config.slack,
                store,
                scheduler,
                logger: logger.child({ component: 'slack' }),
                app,
                intake: clientIntake,
                metrics,
                vault,
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
