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
import { decideCheckpoint } from '../../handlers/checkpoints/decide-checkpoint.js';
import type { JobQueue } from '../../ports/job-queue.js';
import { provideCredential } from '../../handlers/checkpoints/provide-credential.js';
import type { Vault } from '../../ports/vault.js';
import type { AuditEvent, Checkpoint, Identity, Project, Store } from '../../ports/store.js';
import { allowed, viewerOf, type Viewer } from './console-access.js';
import { consoleCard } from './console-cards.js';
import { consoleHandle } from './console-handle.js';

export interface ConsoleViewsOptions {
  store: Store;
  /** Where decisions enqueue their follow-up jobs; without it, deciding answers 503. */
  jobs?: JobQueue;
  /** Where provided credentials go; without it, providing one answers 503. */
  vault?: Vault;
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
export async function visibleProjects(store: Store, viewer: Viewer): Promise<Project[]> {
  if (allowed(viewer, 'project.list_all')) return store.projects.list();
  return store.projects.list({ ownerId: viewer.identity.id });
}

export function consoleViews(options: ConsoleViewsOptions): Router {
  const { store } = options;
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
      res.json({ identities: (await store.identities.list()).map(identityView) });
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
      const conversation = await store.conversations.findByThread(
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
      const projects = await visibleProjects(store, viewerOf(res));
      res.json({ projects: projects.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()) });
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
      const project = await store.projects.get(id.data);
      if (project === null) {
        res.status(404).json({ error: 'not_found', message: `No project ${id.data}` });
        return;
      }
      if (!allowed(viewer, 'project.read', project))
        return forbidden(res, 'You may see your own projects only.');
      res.json(await projectDetail(store, project, viewer));
    }),
  );

  router.get(
    '/api/console/checkpoints',
    answer(async (_req, res) => {
      const viewer = viewerOf(res);
      if (!allowed(viewer, 'project.list_all'))
        return forbidden(res, 'The ops channel is for Technical Operators.');
      const checkpoints = (await store.checkpoints.list()).sort(
        (a, b) => b.createdAt.getTime() - a.createdAt.getTime(),
      );
      res.json({ cards: await Promise.all(checkpoints.map((checkpoint) => consoleCard(store, checkpoint))) });
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
      if (!options.jobs) {
        res.status(503).json({ error: 'unavailable', message: 'Decisions are not available here.' });
        return;
      }
      // The decider acts with the role they logged in with; the handler refuses (and audits) non-TOs.
      const decider: Identity = { ...viewer.identity, role: viewer.role };
      const result = await decideCheckpoint({
        store,
        jobs: options.jobs,
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
      if (!options.jobs || !options.vault) {
        res.status(503).json({ error: 'unavailable', message: 'Credentials cannot be provided here.' });
        return;
      }
      const result = await provideCredential({
        store,
        vault: options.vault,
        jobs: options.jobs,
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

async function projectDetail(store: Store, project: Project, viewer: Viewer) {
  const [briefs, tasks, checkpoints, ledger, owner] = await Promise.all([
    store.projects.listBriefs(project.id),
    store.tasks.listByProject(project.id),
    store.checkpoints.list({ projectId: project.id }),
    store.ledger.list({ projectId: project.id }),
    store.identities.get(project.ownerId),
  ]);
  const operator = allowed(viewer, 'audit.read');
  const audit = operator
    ? await withActorNames(store, await projectAudit(store, project.id, checkpoints, tasks))
    : [];
  const conversations = await store.conversations.listByIdentity(project.ownerId);
  // Digests are kept in the project's conversation as Hermes's messages.
  const digests = conversations
    .filter((conversation) => conversation.projectId === project.id)
    .flatMap((conversation) => conversation.messages)
    .filter((message) => message.from === 'hermes' && message.text.startsWith('Status digest'))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  let cumulative = 0;
  const spend = ledger
    .sort((a, b) => a.at.getTime() - b.at.getTime())
    .map((entry) => {
      cumulative += entry.cost;
      return { at: entry.at, cost: entry.cost, total: cumulative, kind: entry.kind };
    });
  return {
    project,
    owner: owner ? identityView(owner) : null,
    briefs: briefs.sort((a, b) => b.version - a.version),
    tasks,
    // Clients see the state of their checkpoints; the cards with buttons are for operators.
    checkpoints: operator
      ? await Promise.all(checkpoints.map((checkpoint) => consoleCard(store, checkpoint)))
      : checkpoints.map((checkpoint) => ({
          checkpoint: {
            id: checkpoint.id,
            kind: checkpoint.kind,
            status: checkpoint.status,
            createdAt: checkpoint.createdAt,
            request: { title: checkpoint.request.title },
          },
        })),
    spend: { budget: project.budget, spent: project.spent, series: spend },
    audit,
    digests,
  };
}

/** Each event with `actorName`: the display name when the actor is a known identity. */
async function withActorNames(store: Store, events: AuditEvent[]) {
  const ids = [...new Set(events.map((event) => event.actor))].filter((id) => z.uuid().safeParse(id).success);
  const names = new Map<string, string>();
  await Promise.all(
    ids.map(async (id) => {
      const identity = await store.identities.get(id);
      if (identity) names.set(id, identity.displayName);
    }),
  );
  return events.map((event) => ({ ...event, actorName: names.get(event.actor) ?? event.actor }));
}

/** The audit events about the project, its tasks and its checkpoints, oldest first. */
async function projectAudit(
  store: Store,
  projectId: string,
  checkpoints: Checkpoint[],
  tasks: Array<{ id: string }>,
): Promise<AuditEvent[]> {
  const subjects = new Set([projectId, ...checkpoints.map((c) => c.id), ...tasks.map((t) => t.id)]);
  const events: AuditEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await store.audit.list({ afterSeq: after, limit: 1000 });
    for (const event of page) {
      if (subjects.has(event.subjectId) || event.data.projectId === projectId) events.push(event);
    }
    if (page.length < 1000) break;
    after = page[page.length - 1]!.seq;
  }
  return events;
}
