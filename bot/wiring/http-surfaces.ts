/**
 * The HTTP server: health, readiness and metrics in every mode; in surface modes also the console, the
 * ops API, the credential route, the web page and Slack's request URL (or Socket Mode).
 */
import type { Express } from 'express';
import {
  assertConsoleAccess,
  consoleAccessSettings,
  type ConsoleAccessSettings,
} from '../console/console-access.js';
import { ConsoleEvents } from '../console/console-events.js';
import { consoleRoutes } from '../console/console-routes.js';
import { consoleWeb } from '../console/console-web.js';
import { surfaceUseCases } from '../../handlers/surface-use-cases.js';
import { Workspaces } from '../../agents/workspace/project-workspace.js';
import { createHttpApp, finishHttpApp, startHttpServer, type RunningHttpServer } from '../http.js';
import { jobQueueSampler } from '../metrics/job-queue-gauge.js';
import { stalledWorkSampler } from '../metrics/stalled-work-gauge.js';
import { opsRoutes } from '../ops/ops-routes.js';
import { provideCredentialRoute } from '../ops/provide-credential-route.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import type { Core } from './core.js';
import type { Intake } from './intake.js';
import type { Wiring } from './lifecycle.js';

/** Runs every sampler before a scrape. */
function scrapeAll(...samplers: Array<() => Promise<void>>): () => Promise<void> {
  return async () => {
    await Promise.all(samplers.map((sample) => sample()));
  };
}

/** A console reachable from other machines needs a login: refuses to start without one. */
export function checkConsoleAccess({ config, mode }: Wiring): ConsoleAccessSettings {
  const access = consoleAccessSettings(config.resolved);
  if (mode !== 'worker' && config.http.port > 0) assertConsoleAccess(config.http.host, access);
  return access;
}

export async function wireHttp(
  wiring: Wiring,
  core: Core,
  scheduler: AgendaJobQueue,
  intake: Intake,
  access: ConsoleAccessSettings,
): Promise<RunningHttpServer | null> {
  const { config, mode, logger, onStop } = wiring;
  const { store, metrics } = core;
  const port = mode === 'worker' ? config.http.workerPort : config.http.port;
  if (port <= 0) return null;
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
    metrics: {
      registry: metrics.registry,
      beforeScrape: scrapeAll(
        jobQueueSampler(metrics, scheduler),
        stalledWorkSampler(metrics, store.checkpoints),
      ),
    },
  };
  const app = createHttpApp(httpOptions);
  if (mode !== 'worker') {
    await mountConsole(wiring, app, core, scheduler, intake, access);
    await mountSlack(wiring, app, core, scheduler, intake);
  }
  finishHttpApp(app, logger);
  const server = await startHttpServer(app, httpOptions);
  onStop(() => server.close());
  return server;
}

async function mountConsole(
  { config, logger, onStop }: Wiring,
  app: Express,
  { store, vault }: Core,
  scheduler: AgendaJobQueue,
  intake: Intake,
  access: ConsoleAccessSettings,
): Promise<void> {
  const consoleLogger = logger.child({ component: 'console' });
  const opsLogger = logger.child({ component: 'ops' });
  const useCases = surfaceUseCases({
    store,
    jobs: scheduler,
    vault,
    deliverables: { workspaces: new Workspaces(config.dataDir), logger: consoleLogger },
  });
  const events = new ConsoleEvents(useCases.audit, consoleLogger);
  onStop(() => events.close());
  app.use(consoleRoutes({ useCases, handler: intake.clientIntake, logger: consoleLogger, access, events }));
  // The credential route first: its own parser (80 kB, room for a 64 KiB value) must read the body before
  // the ops API's 64 kB parser, which would refuse the largest values the vault accepts.
  app.use(provideCredentialRoute({ useCases, logger: opsLogger, access }));
  app.use(opsRoutes({ useCases, logger: opsLogger, access }));
  app.use(
    await consoleWeb({
      identities: useCases.identities,
      logger: consoleLogger,
      access,
      agenda: () => scheduler.dashboardAgenda(),
    }),
  );
}

async function mountSlack(
  { config, logger, onStop }: Wiring,
  app: Express,
  { store, vault, metrics }: Core,
  scheduler: AgendaJobQueue,
  intake: Intake,
): Promise<void> {
  if (!config.slack || !(config.slack.signingSecret || config.slack.appToken)) return;
  const { wireSlackSurface } = await import('./slack.js');
  const slack = wireSlackSurface({
    settings: config.slack,
    store,
    jobs: scheduler,
    logger: logger.child({ component: 'slack' }),
    app,
    intake: intake.clientIntake,
    metrics,
    vault,
  });
  await slack.start();
  onStop(() => slack.stop());
}
