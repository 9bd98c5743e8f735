/**
 * The ops API for `olympus projects|tasks|checkpoints`: loopback callers only (like the console API).
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
import type { JobQueue } from '../../handlers/checkpoints/job-queue.js';
import { decideAs, findProject, listCheckpoints, showProject } from '../../handlers/ops/ops-queries.js';
import type { Store } from '../../storage/ports.js';

export interface OpsRoutesOptions {
  store: Store;
  jobs: JobQueue;
  logger: Logger;
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
  const { store } = options;
  const router = express.Router();
  router.use('/api/ops', (req, res, next) => {
    if (isLoopback(req.socket.remoteAddress)) {
      next();
      return;
    }
    res.status(403).json({ error: 'forbidden', message: 'The ops API answers local callers only.' });
  });
  router.use('/api/ops', express.json({ limit: '64kb' }));

  const answer =
    (work: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction) => {
      work(req, res).catch(next);
    };

  router.get(
    '/api/ops/projects',
    answer(async (_req, res) => {
      res.json({ projects: await store.projects.list() });
    }),
  );
  router.get(
    '/api/ops/projects/:id',
    answer(async (req, res) => {
      const shown = await showProject(store, String(req.params.id));
      if (!shown)
        res.status(404).json({ error: 'not_found', message: `No project ${String(req.params.id)}` });
      else res.json(shown);
    }),
  );
  router.get(
    '/api/ops/projects/:id/tasks',
    answer(async (req, res) => {
      const project = await findProject(store, String(req.params.id));
      if (!project)
        res.status(404).json({ error: 'not_found', message: `No project ${String(req.params.id)}` });
      else res.json({ project, tasks: await store.tasks.listByProject(project.id) });
    }),
  );
  router.get(
    '/api/ops/checkpoints',
    answer(async (req, res) => {
      const pending = req.query.pending === '1' || req.query.pending === 'true';
      res.json({ checkpoints: await listCheckpoints(store, pending) });
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
      const result = await decideAs({ store, jobs: options.jobs, checkpointId: id.data, ...body.data });
      res.status(STATUS_OF[result.status]).json(result);
    }),
  );
  router.use('/api/ops', (error: unknown, req: Request, res: Response, _next: NextFunction) => {
    options.logger.warn('ops request failed', { path: req.path, error: errorMessage(error) });
    res.status(500).json({ error: 'internal', message: errorMessage(error) });
  });
  return router;
}

function isLoopback(address: string | undefined): boolean {
  return address === '::1' || /^(?:::ffff:)?127\./.test(address ?? '');
}
