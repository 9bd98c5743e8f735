/**
 * The web console's read and decide API, behind the console login (console-access.ts). What a caller
 * gets follows the access policy: clients see their own projects only (403 on others) and no ops
 * channel; TOs and admins see every project and decide checkpoints through the one decision handler.
 *
 *   GET  /api/console/me                       who is logged in, and what they may do
 *   GET  /api/console/identities               known identities (operators only)
 *   GET  /api/console/conversation?as=…        the console conversation of that sender (own, or operators)
 *   GET  /api/console/projects                 the projects the caller may see
 *   GET  /api/console/projects/:id             brief versions, tasks, checkpoint cards, spend, audit, digests
 *   GET  /api/console/checkpoints              every checkpoint as a card (operators only)
 *   POST /api/console/checkpoints/:id/decide   { outcome, actionHash, reason?, changes? }
 *   POST /api/console/checkpoints/:id/credential { actionHash, value } → vault, then approved
 *        (provide-credential.ts; the value is never logged or stored outside the vault)
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { ProjectViews } from '../../handlers/ops/project-views.js';
import type { SurfaceUseCases } from '../../handlers/surface-use-cases.js';
import type { Identity, Project } from '../../ports/domain.js';
import { allowed, viewerOf, type Viewer } from './console-access.js';
import { consoleCard } from './console-cards.js';
import { consoleHandle } from './console-handle.js';

/** What the console's views need of the use cases. */
export type ConsoleViewUseCases = Pick<
  SurfaceUseCases,
  'identities' | 'threads' | 'projects' | 'checkpoints' | 'desk' | 'deliverables'
>;

export interface ConsoleViewsOptions {
  /** Reads, and the checkpoint desk (without a job queue or vault there, deciding answers 503). */
  useCases: ConsoleViewUseCases;
}

export const WebDecisionSchema = z
  .object({
    outcome: z.enum(['approved', 'modified', 'rejected']),
    actionHash: z.string().regex(/^[0-9a-f]{64}$/, 'actionHash: the 64 hex digits the card carries'),
    reason: z.string().trim().min(1).max(2000).optional(),
    changes: z.string().trim().min(1).max(4000).optional(),
  })
  .strict()
  .refine((body) => body.outcome !== 'rejected' || body.reason !== undefined, {
    message: 'reason: a rejection needs a reason',
  })
  .refine((body) => body.outcome !== 'modified' || body.changes !== undefined, {
    message: 'changes: a modification needs the changes',
  });

const CredentialBodySchema = z
  .object({
    actionHash: z.string().regex(/^[0-9a-f]{64}$/, 'actionHash: the 64 hex digits the card carries'),
    value: z
      .string()
      .min(1, 'value: the credential must not be empty')
      .max(64 * 1024),
  })
  .strict();

const STATUS_OF = {
  decided: 200,
  already_decided: 409,
  refused: 403,
  not_found: 404,
  invalid: 400,
} as const;

type Handler = (req: Request, res: Response) => Promise<void>;
const answer = (work: Handler) => (req: Request, res: Response, next: NextFunction) => {
  work(req, res).catch(next);
};

function forbidden(res: Response, message: string): void {
  res.status(403).json({ error: 'forbidden', message });
}

function identityView(identity: Identity) {
  return {
    id: identity.id,
    displayName: identity.displayName,
    role: identity.role,
    handles: identity.handles.map((handle) => `${handle.surface}:${handle.externalId}`),
  };
}

/** The projects a viewer may see. */
export function visibleProjects(projects: Pick<ProjectViews, 'visible'>, viewer: Viewer): Promise<Project[]> {
  return projects.visible({ all: allowed(viewer, 'project.list_all'), ownerId: viewer.identity.id });
}

export function consoleViews(options: ConsoleViewsOptions): Router {
  const { identities, threads, projects, checkpoints, desk } = options.useCases;
  const router = express.Router();

  router.get(
    '/api/console/me',
    answer(async (_req, res) => {
      const viewer = viewerOf(res);
      res.json({
        identity: identityView(viewer.identity),
        role: viewer.role,
        via: viewer.via,
        may: {
          decide: allowed(viewer, 'checkpoint.decide'),
          seeAllProjects: allowed(viewer, 'project.list_all'),
          speakAsAnyone: viewer.role === 'admin',
          jobs: viewer.role === 'admin',
        },
      });
      await Promise.resolve();
    }),
  );

  router.get(
    '/api/console/identities',
    answer(async (_req, res) => {
      const viewer = viewerOf(res);
      if (!allowed(viewer, 'project.list_all')) return forbidden(res, 'Only operators list identities.');
      res.json({ identities: (await identities.list()).map(identityView) });
    }),
  );

  router.get(
    '/api/console/conversation',
    answer(async (req, res) => {
      const viewer = viewerOf(res);
      const as = typeof req.query.as === 'string' ? req.query.as.trim() : '';
      if (as === '') {
        res.status(400).json({ error: 'bad_request', message: 'as: whose conversation (email or name)' });
        return;
      }
      const { handle } = consoleHandle(as);
      const conversation = await threads.conversationByThread(
        'console',
        `${handle.surface}:${handle.externalId}`,
      );
      if (conversation === null) {
        res.json({ conversation: null });
        return;
      }
      if (conversation.identityId !== viewer.identity.id && !allowed(viewer, 'project.list_all'))
        return forbidden(res, 'That conversation is not yours.');
      res.json({ conversation });
    }),
  );

  router.get(
    '/api/console/projects',
    answer(async (_req, res) => {
      const visible = await visibleProjects(projects, viewerOf(res));
      res.json({ projects: visible.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()) });
    }),
  );

  router.get(
    '/api/console/projects/:id',
    answer(async (req, res) => {
      const viewer = viewerOf(res);
      const id = z.uuid().safeParse(req.params.id);
      if (!id.success) {
        res.status(400).json({ error: 'bad_request', message: 'id: expected a project id (UUID)' });
        return;
      }
      const project = await projects.get(id.data);
      if (project === null) {
        res.status(404).json({ error: 'not_found', message: `No project ${id.data}` });
        return;
      }
      if (!allowed(viewer, 'project.read', project))
        return forbidden(res, 'You may see your own projects only.');
      res.json(await projectDetail(options.useCases, project, viewer));
    }),
  );

  router.get(
    '/api/console/checkpoints',
    answer(async (_req, res) => {
      const viewer = viewerOf(res);
      if (!allowed(viewer, 'project.list_all'))
        return forbidden(res, 'The ops channel is for Technical Operators.');
      const all = await checkpoints.newestFirst();
      res.json({ cards: await Promise.all(all.map((checkpoint) => consoleCard(checkpoints, checkpoint))) });
    }),
  );

  router.post(
    '/api/console/checkpoints/:id/decide',
    answer(async (req, res) => {
      const viewer = viewerOf(res);
      const id = z.uuid().safeParse(req.params.id);
      const body = WebDecisionSchema.safeParse(req.body);
      if (!id.success || !body.success) {
        const message = !id.success ? 'id: expected a checkpoint id (UUID)' : z.prettifyError(body.error!);
        res.status(400).json({ error: 'bad_request', message });
        return;
      }
      if (!desk.decides) {
        res.status(503).json({ error: 'unavailable', message: 'Decisions are not available here.' });
        return;
      }
      // The decider acts with the role they logged in with; the handler refuses (and audits) non-TOs.
      const decider: Identity = { ...viewer.identity, role: viewer.role };
      const result = await desk.decide({
        checkpointId: id.data,
        decider,
        deciderLabel: `console:${viewer.identity.displayName}`,
        outcome: body.data.outcome,
        actionHash: body.data.actionHash,
        ...(body.data.reason !== undefined ? { reason: body.data.reason } : {}),
        ...(body.data.changes !== undefined ? { changes: body.data.changes } : {}),
      });
      res.status(STATUS_OF[result.status]).json(result);
    }),
  );

  router.post(
    '/api/console/checkpoints/:id/credential',
    answer(async (req, res) => {
      const viewer = viewerOf(res);
      const id = z.uuid().safeParse(req.params.id);
      const body = CredentialBodySchema.safeParse(req.body);
      if (!id.success || !body.success) {
        // Never echo the body: it holds the secret.
        const message = !id.success
          ? 'id: expected a checkpoint id (UUID)'
          : body.error!.issues.map((issue) => issue.message).join('; ');
        res.status(400).json({ error: 'bad_request', message });
        return;
      }
      if (!desk.takesCredentials) {
        res.status(503).json({ error: 'unavailable', message: 'Credentials cannot be provided here.' });
        return;
      }
      const result = await desk.provideCredential({
        checkpointId: id.data,
        value: body.data.value,
        by: { ...viewer.identity, role: viewer.role },
        byLabel: `console:${viewer.identity.displayName}`,
        actionHash: body.data.actionHash,
      });
      res.status(STATUS_OF[result.status]).json(result);
    }),
  );

  return router;
}

async function projectDetail(useCases: ConsoleViewUseCases, project: Project, viewer: Viewer) {
  const operator = allowed(viewer, 'audit.read');
  const detail = await useCases.projects.detail(project, { audit: operator });
  return {
    ...detail,
    owner: detail.owner ? identityView(detail.owner) : null,
    // Clients see the state of their checkpoints; the cards with buttons are for operators.
    checkpoints: operator
      ? await Promise.all(
          detail.checkpoints.map((checkpoint) => consoleCard(useCases.checkpoints, checkpoint)),
        )
      : detail.checkpoints.map((checkpoint) => ({
          checkpoint: {
            id: checkpoint.id,
            kind: checkpoint.kind,
            status: checkpoint.status,
            createdAt: checkpoint.createdAt,
            request: { title: checkpoint.request.title },
          },
        })),
  };
}
