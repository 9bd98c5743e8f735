/**
 * A project's deliverables on the console, behind the console login and the access policy's
 * `deliverables.read` (a client their own projects, TOs and admins any):
 *
 *   GET /api/console/projects/:id/deliverables       per done task: summary and files changed
 *   GET /api/console/projects/:id/workspace.tar.gz   every file of the workspace, to download
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { SurfaceUseCases } from '../../handlers/surface-use-cases.js';
import { fileBytes } from '../../ports/chat-transport.js';
import type { Project } from '../../ports/domain.js';
import { allowed, viewerOf } from './console-access.js';

export type ConsoleDeliverableUseCases = Pick<SurfaceUseCases, 'projects' | 'deliverables'>;

type Found = { project: Project } | null;

/** The project the request names, when the caller may read its deliverables (else answered here). */
async function readable(useCases: ConsoleDeliverableUseCases, req: Request, res: Response): Promise<Found> {
  const id = z.uuid().safeParse(req.params.id);
  if (!id.success) {
    res.status(400).json({ error: 'bad_request', message: 'id: expected a project id (UUID)' });
    return null;
  }
  const project = await useCases.projects.get(id.data);
  if (project === null) {
    res.status(404).json({ error: 'not_found', message: `No project ${id.data}` });
    return null;
  }
  if (!allowed(viewerOf(res), 'deliverables.read', project)) {
    res
      .status(403)
      .json({ error: 'forbidden', message: 'You may see the deliverables of your own projects only.' });
    return null;
  }
  if (!useCases.deliverables.available) {
    res.status(503).json({ error: 'unavailable', message: 'Deliverables are not served by this process.' });
    return null;
  }
  return { project };
}

export function consoleDeliverables(useCases: ConsoleDeliverableUseCases): Router {
  const router = express.Router();
  const answer =
    (work: (req: Request, res: Response) => Promise<void>) =>
    (req: Request, res: Response, next: NextFunction) => {
      work(req, res).catch(next);
    };

  router.get(
    '/api/console/projects/:id/deliverables',
    answer(async (req, res) => {
      const found = await readable(useCases, req, res);
      if (!found) return;
      const report = await useCases.deliverables.report(found.project);
      res.json({
        ...report,
        status: found.project.status,
        download: `/api/console/projects/${found.project.id}/workspace.tar.gz`,
      });
    }),
  );

  router.get(
    '/api/console/projects/:id/workspace.tar.gz',
    answer(async (req, res) => {
      const found = await readable(useCases, req, res);
      if (!found) return;
      const file = await useCases.deliverables.archive(found.project);
      if (!file) {
        res.status(404).json({ error: 'not_found', message: 'The project has no files yet.' });
        return;
      }
      res
        .status(200)
        .type(file.contentType)
        .attachment(file.name)
        .set('Cache-Control', 'no-store')
        .send(fileBytes(file));
    }),
  );
  return router;
}
