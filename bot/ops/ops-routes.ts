/**
 * The ops API for `olympus projects|tasks|checkpoints`, behind the console login (console-access.ts):
 * the local operator (loopback, no token configured) and the admin token see everything and decide as
 * the identity `as` names; a per-identity token sees what its role allows (a client: own projects only,
 * no checkpoints) and decides, if a TO, as itself.
 *
 *   GET  /api/ops/projects                      every project
 *   GET  /api/ops/projects/:idOrKey             project, latest brief, tasks, checkpoints
 *   GET  /api/ops/projects/:idOrKey/tasks       the project's tasks
 *   GET  /api/ops/checkpoints?pending=1         checkpoints (only pending ones with pending=1)
 *   POST /api/ops/checkpoints/:id/decide        { as, outcome, reason?, changes? } → the decision handler
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { SurfaceUseCases } from '../../handlers/surface-use-cases.js';
import { allowed, requireViewer, viewerOf, type ConsoleAccessSettings } from '../console/console-access.js';
import { visibleProjects } from '../console/console-views.js';
import { isBodyParserError } from '../http.js';
import { linkIdentityRoute } from './identity-link-route.js';

/** What the ops API needs of the use cases. */
export type OpsUseCases = Pick<SurfaceUseCases, 'identities' | 'projects' | 'checkpoints' | 'desk'>;

export interface OpsRoutesOptions {
  /** Projects, checkpoints, identities and the checkpoint desk (handlers/surface-use-cases.ts). */
  useCases: OpsUseCases;
  logger: Logger;
  /** Who may log in; default: no tokens (loopback callers are the local operator). */
  access?: ConsoleAccessSettings;
}

export const DecideBodySchema = z
  .object({
    as: z.string().trim().min(1).max(200),
    outcome: z.enum(['approved', 'modified', 'rejected']),
    reason: z.string().trim().min(1).max(2000).optional(),
    changes: z.string().trim().min(1).max(4000).optional(),
  })
  .strict();

const STATUS_OF = { decided: 200, already_decided: 409, refused: 403, not_found: 404 } as const;

export function opsRoutes(options: OpsRoutesOptions): Router {
  const { identities, projects, checkpoints, desk } = options.useCases;
  const router = express.Router();
  router.use(
    '/api/ops',
    requireViewer(identities, options.access ?? { adminToken: null, identityTokens: [] }),
  );
  router.use('/api/ops', express.json({ limit: '64kb' }));

  const answer =
    (work: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction) => {
      work(req, res).catch(next);
    };

  router.get(
    '/api/ops/projects',
    answer(async (_req, res) => {
      res.json({ projects: await visibleProjects(projects, viewerOf(res)) });
    }),
  );
  router.get(
    '/api/ops/projects/:id',
    answer(async (req, res) => {
      const shown = await projects.show(String(req.params.id));
      if (!shown)
        res.status(404).json({ error: 'not_found', message: `No project ${String(req.params.id)}` });
      else if (!allowed(viewerOf(res), 'project.read', shown.project)) forbidden(res);
      else res.json(shown);
    }),
  );
  router.get(
    '/api/ops/projects/:id/tasks',
    answer(async (req, res) => {
      const project = await projects.find(String(req.params.id));
      if (!project)
        res.status(404).json({ error: 'not_found', message: `No project ${String(req.params.id)}` });
      else if (!allowed(viewerOf(res), 'project.read', project)) forbidden(res);
      else res.json({ project, tasks: await projects.tasks(project.id) });
    }),
  );
  router.get(
    '/api/ops/checkpoints',
    answer(async (req, res) => {
      if (!allowed(viewerOf(res), 'project.list_all')) {
        res.status(403).json({ error: 'forbidden', message: 'Checkpoints are for Technical Operators.' });
        return;
      }
      const pending = req.query.pending === '1' || req.query.pending === 'true';
      res.json({ checkpoints: await checkpoints.list({ pendingOnly: pending }) });
    }),
  );
  router.post(
    '/api/ops/checkpoints/:id/decide',
    answer(async (req, res) => {
      const id = z.uuid().safeParse(req.params.id);
      const body = DecideBodySchema.safeParse(req.body);
      if (!id.success || !body.success) {
        const message = !id.success ? 'id: expected a checkpoint id (UUID)' : z.prettifyError(body.error!);
        res.status(400).json({ error: 'bad_request', message });
        return;
      }
      const viewer = viewerOf(res);
      // A per-identity token decides as its own identity (the handler refuses and audits non-TOs).
      const result =
        viewer.via === 'identity_token'
          ? await desk.decide({
              checkpointId: id.data,
              decider: { ...viewer.identity, role: viewer.role },
              deciderLabel: `console:${viewer.identity.displayName}`,
              outcome: body.data.outcome,
              ...(body.data.reason !== undefined ? { reason: body.data.reason } : {}),
              ...(body.data.changes !== undefined ? { changes: body.data.changes } : {}),
            })
          : await desk.decideAs({ checkpointId: id.data, ...body.data });
      res.status(STATUS_OF[result.status]).json(result);
    }),
  );
  router.post(
    '/api/ops/identities/link',
    answer((req, res) => linkIdentityRoute(identities, req, res)),
  );
  router.use('/api/ops', (error: unknown, req: Request, res: Response, next: NextFunction) => {
    // Bodies the parser refused (413 too large, 400 not JSON) are answered by finishHttpApp.
    if (isBodyParserError(error)) {
      next(error);
      return;
    }
    options.logger.warn('ops request failed', { path: req.path, error: errorMessage(error) });
    res.status(500).json({ error: 'internal', message: errorMessage(error) });
  });
  return router;
}

function forbidden(res: Response): void {
  res.status(403).json({ error: 'forbidden', message: 'You may see your own projects only.' });
}
