/**
 * Serves the web console: the page at `/`, its bundle (built by esbuild from bot/console/web into
 * dist/bot/console/web) under `/console/`, and the Agenda dashboard (Agendash) at `/jobs/` for admins.
 * The page itself holds no data: everything comes from the console API behind the login.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
  type Router,
} from 'express';
import type { Logger } from '../../common/logging/logger.js';
import { authenticate, type ConsoleAccessSettings, type LoginIdentities } from './console-access.js';

export interface ConsoleWebOptions {
  /** Who logs in (the jobs dashboard is for admins). */
  identities: LoginIdentities;
  logger: Logger;
  access: ConsoleAccessSettings;
  /** The running Agenda instance for the jobs dashboard, or null for none. */
  agenda?: () => unknown;
}

const here = path.dirname(fileURLToPath(import.meta.url));

/** Where the bundle is: next to this module when built, else the repository's dist (tests run sources). */
export function bundleDir(): string | null {
  const candidates = [path.join(here, 'web'), path.resolve(here, '../../dist/bot/console/web')];
  return candidates.find((dir) => existsSync(path.join(dir, 'app.js'))) ?? null;
}

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Olympus console</title>
    <link rel="stylesheet" href="/console/app.css" />
  </head>
  <body>
    <div id="app"></div>
    <script type="module" src="/console/app.js"></script>
  </body>
</html>
`;

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export function consoleWeb(options: ConsoleWebOptions): Promise<Router> {
  const router = express.Router();
  const dir = bundleDir();
  if (dir === null) {
    options.logger.warn('web console bundle not found: run `npm run build`; serving the API only');
  } else {
    router.get('/favicon.ico', (_req, res) => {
      res.status(204).end();
    });
    router.get('/', (_req, res) => {
      res.set('content-security-policy', CSP).type('html').send(PAGE);
    });
    router.use('/console', express.static(dir, { index: false, fallthrough: false }));
  }
  const agenda = options.agenda?.();
  if (agenda) {
    // Agendash can requeue, create and delete jobs: admins only.
    const onlyAdmins = (req: Request, res: Response, next: NextFunction) => {
      authenticate(req, options.identities, options.access)
        .then((result) => {
          if (result.ok && result.viewer.role === 'admin') next();
          else if (result.ok) res.status(403).json({ error: 'forbidden', message: 'Jobs are for admins.' });
          else res.status(401).json({ error: 'unauthorized', message: result.message });
        })
        .catch(next);
    };
    // Agendash is loaded on the first request that reaches it, not at start.
    let loaded: Promise<RequestHandler> | null = null;
    const dashboard: RequestHandler = (req, res, next) => {
      loaded ??= import('agendash').then(({ createExpressMiddleware }) =>
        createExpressMiddleware(agenda as Parameters<typeof createExpressMiddleware>[0]),
      );
      loaded.then((handler) => handler(req, res, next)).catch(next);
    };
    router.get('/jobs', (req, res, next) => {
      // The dashboard's assets are relative: it must be addressed as a folder.
      if (req.originalUrl === '/jobs') res.redirect(301, '/jobs/');
      else next();
    });
    router.use('/jobs', onlyAdmins, dashboard);
  }
  return Promise.resolve(router);
}
