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
    const refused = bodyRefusal(error);
    if (refused) {
      // The caller's fault (too large, not JSON…): answered and logged at warn, not as a server fault.
      logger.warn('http request body refused', {
        method: req.method,
        path: req.path,
        status: refused.status,
        reason: refused.body.error,
      });
      res.status(refused.status).json(refused.body);
      return;
    }
    logger.error('http request failed', { method: req.method, path: req.path, error: errorMessage(error) });
    res.status(500).json({ error: 'internal', message: 'The request failed; see the server log.' });
  });
}

/** The errors body-parser (express.json, express.raw, …) passes on, by their `type`. */
interface BodyParserError {
  type: string;
  status?: number;
  /** The parser's limit in bytes (entity.too.large). */
  limit?: number;
}

/** True for an error from a body parser: it is the request's fault, and finishHttpApp answers it. */
export function isBodyParserError(error: unknown): error is BodyParserError {
  if (typeof error !== 'object' || error === null) return false;
  const { type, status } = error as { type?: unknown; status?: unknown };
  return typeof type === 'string' && typeof status === 'number' && status >= 400 && status < 500;
}

/** The answer to a body the parsers refused; null for any other error (a real fault: 500). */
export function bodyRefusal(error: unknown): { status: number; body: Record<string, unknown> } | null {
  if (!isBodyParserError(error)) return null;
  switch (error.type) {
    case 'entity.too.large':
    case 'parameters.too.many':
      return {
        status: 413,
        body: {
          error: 'payload_too_large',
          ...(typeof error.limit === 'number' ? { limit: formatBytes(error.limit) } : {}),
          message: 'The request body is too large.',
        },
      };
    case 'entity.parse.failed':
      return { status: 400, body: { error: 'bad_request', message: 'The body is not valid JSON.' } };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return {
        status: 415,
        body: { error: 'unsupported_media_type', message: 'The body encoding or charset is not supported.' },
      };
    default:
      return {
        status: error.status ?? 400,
        body: { error: 'bad_request', message: 'The request body could not be read.' },
      };
  }
}

/** 65536 → "64kb", 1048576 → "1mb" (the way the parsers' limits are written). */
function formatBytes(bytes: number): string {
  if (bytes > 0 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)}mb`;
  if (bytes > 0 && bytes % 1024 === 0) return `${bytes / 1024}kb`;
  return `${bytes}b`;
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
