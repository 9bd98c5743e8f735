/**
 * The Olympus HTTP server: `/healthz` (the process is alive), `/readyz` (store and scheduler ready).
 * Surfaces mount their routes (Slack events, console) on the same app.
 */
import { createServer, type Server } from 'node:http';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { errorMessage } from '../common/errors.js';
import type { Logger } from '../common/logging/logger.js';
import type { Metrics } from './metrics/metrics.js';

export interface ReadinessCheck {
  name: string;
  check(): Promise<void>;
}

export interface HttpServerOptions {
  host: string;
  port: number;
  logger: Logger;
  readiness: ReadinessCheck[];
  /** How long one readiness check may take. */
  checkTimeoutMs?: number;
  /** Served at `/metrics` in Prometheus format; `beforeScrape` refreshes sampled gauges. */
  metrics?: { registry: Metrics['registry']; beforeScrape?: () => Promise<void> };
}

export interface RunningHttpServer {
  app: Express;
  /** The bound address, e.g. http://127.0.0.1:3000. */
  url: string;
  close(): Promise<void>;
}

export function createHttpApp(options: HttpServerOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok', uptimeSeconds: Math.round(process.uptime()) });
  });
  app.get('/readyz', (_req, res, next) => {
    checkReadiness(options.readiness, options.checkTimeoutMs ?? 2000)
      .then((result) => res.status(result.ready ? 200 : 503).json(result))
      .catch(next);
  });
  const metrics = options.metrics;
  if (metrics) {
    app.get('/metrics', (_req, res, next) => {
      (metrics.beforeScrape?.() ?? Promise.resolve())
        .then(() => metrics.registry.metrics())
        .then((text) => res.type(metrics.registry.contentType).send(text))
        .catch(next);
    });
  }
  return app;
}

/** Adds the handlers that must come after every route: JSON 404 and error answers. */
export function finishHttpApp(app: Express, logger: Logger): void {
  app.use((req, res) => {
    res.status(404).json({ error: 'not_found', message: `No route for ${req.method} ${req.path}` });
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    logger.error('http request failed', { method: req.method, path: req.path, error: errorMessage(error) });
    res.status(500).json({ error: 'internal', message: 'The request failed; see the server log.' });
  });
}

export async function startHttpServer(app: Express, options: HttpServerOptions): Promise<RunningHttpServer> {
  const server: Server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  const url = `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`;
  options.logger.info('http server listening', { url });
  return {
    app,
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

interface ReadinessResult {
  ready: boolean;
  checks: Record<string, { ok: boolean; error?: string }>;
}

async function checkReadiness(checks: ReadinessCheck[], timeoutMs: number): Promise<ReadinessResult> {
  const results = await Promise.all(
    checks.map(async (item) => {
      try {
        await withTimeout(item.check(), timeoutMs, `${item.name} did not answer within ${timeoutMs} ms`);
        return [item.name, { ok: true }] as const;
      } catch (error) {
        return [item.name, { ok: false, error: errorMessage(error) }] as const;
      }
    }),
  );
  const byName: ReadinessResult['checks'] = {};
  for (const [name, result] of results) byName[name] = result;
  return { ready: results.every(([, result]) => result.ok), checks: byName };
}

export async function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
