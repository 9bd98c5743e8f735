/**
 * The console surface: an HTTP API through which a local user talks to Hermes as any identity, and reads
 * conversations and projects. It has no authentication, so it answers loopback callers only. `olympus chat` is a thin client of it; the web console will be another.
 *
 *   POST /api/console/messages           { as, text, messageId? } → { reply, conversationId, state, draft, projectId? }
 *   GET  /api/console/conversations/:id  the conversation with its messages
 *   GET  /api/projects/:id               the project with its brief versions, tasks and checkpoints
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { errorMessage, hasCode } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { Logger } from '../../common/logging/logger.js';
import type { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
import type { IdentityHandle, Store } from '../../storage/ports.js';

export const MessageBodySchema = z
  .object({
    as: z.string().trim().min(1, 'as: who is writing (an email address or a name)').max(200),
    text: z.string().min(1, 'text: the message must not be empty').max(8000),
    /** Optional idempotency key: sending the same id again returns the same reply. */
    messageId: z.string().trim().min(1).max(200).optional(),
  })
  .strict();

const IdSchema = z.uuid();

export interface ConsoleRoutesOptions {
  store: Store;
  handler: ClientMessageHandler;
  logger: Logger;
}

/** The identity handle a console sender maps to: an email address, or a console name. */
export function consoleHandle(as: string): { handle: IdentityHandle; displayName: string } {
  const lowered = as.trim().toLowerCase();
  if (z.email().safeParse(lowered).success) {
    return {
      handle: { surface: 'email', externalId: lowered },
      displayName: as.trim().split('@')[0] ?? as.trim(),
    };
  }
  return { handle: { surface: 'console', externalId: lowered }, displayName: as.trim() };
}

export function consoleRoutes(options: ConsoleRoutesOptions): Router {
  const router = express.Router();
  // Anyone who reaches this API can speak as any client: it answers local callers only.
  router.use(['/api/console', '/api/projects'], (req, res, next) => {
    if (isLoopback(req.socket.remoteAddress)) {
      next();
      return;
    }
    res.status(403).json({ error: 'forbidden', message: 'The console API answers local callers only.' });
  });
  router.use('/api', express.json({ limit: '64kb' }));

  router.post('/api/console/messages', (req, res, next) => {
    if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
      res.status(400).json({
        error: 'bad_request',
        message:
          'Expected a JSON object body { "as": "<email or name>", "text": "<message>" } sent as application/json.',
      });
      return;
    }
    const parsed = MessageBodySchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'bad_request', message: describeIssues(parsed.error) });
      return;
    }
    const { as, text, messageId } = parsed.data;
    const { handle, displayName } = consoleHandle(as);
    options.handler
      .dispatch({
        key: `console:${handle.surface}:${handle.externalId}:${messageId ?? newId()}`,
        surface: 'console',
        handle,
        displayName,
        threadKey: `${handle.surface}:${handle.externalId}`,
        text,
      })
      .then((result) => {
        res.json({
          reply: result.reply,
          conversationId: result.conversationId,
          state: result.state,
          draft: result.draft,
          ...(result.projectId ? { projectId: result.projectId } : {}),
          intent: result.intent,
          duplicate: result.duplicate,
          correlationId: result.correlationId,
        });
      })
      .catch(next);
  });

  router.get('/api/console/conversations/:id', (req, res, next) => {
    const id = IdSchema.safeParse(req.params.id);
    if (!id.success) {
      res.status(400).json({ error: 'bad_request', message: 'id: expected a conversation id (UUID)' });
      return;
    }
    options.store.conversations
      .get(id.data)
      .then((conversation) => {
        if (!conversation)
          res.status(404).json({ error: 'not_found', message: `No conversation ${id.data}` });
        else res.json(conversation);
      })
      .catch(next);
  });

  router.get('/api/projects/:id', (req, res, next) => {
    const id = IdSchema.safeParse(req.params.id);
    if (!id.success) {
      res.status(400).json({ error: 'bad_request', message: 'id: expected a project id (UUID)' });
      return;
    }
    loadProject(options.store, id.data)
      .then((project) => {
        if (!project) res.status(404).json({ error: 'not_found', message: `No project ${id.data}` });
        else res.json(project);
      })
      .catch(next);
  });

  router.use('/api', (error: unknown, req: Request, res: Response, next: NextFunction) => {
    const status =
      (error as { status?: unknown; type?: unknown }).type === 'entity.parse.failed' ? 400 : null;
    if (status === 400) {
      res.status(400).json({ error: 'bad_request', message: 'The body is not valid JSON.' });
      return;
    }
    if (hasCode(error, 'VALIDATION')) {
      res.status(400).json({ error: 'bad_request', message: userMessage(error) });
      return;
    }
    if (hasCode(error, 'STORE_CONFLICT') || hasCode(error, 'STORE_UNAVAILABLE')) {
      options.logger.warn('console request failed', { path: req.path, error: errorMessage(error) });
      res.status(503).json({ error: 'unavailable', message: userMessage(error) });
      return;
    }
    next(error);
  });
  return router;
}

async function loadProject(store: Store, id: string) {
  const project = await store.projects.get(id);
  if (!project) return null;
  const [briefs, tasks, checkpoints] = await Promise.all([
    store.projects.listBriefs(id),
    store.tasks.listByProject(id),
    store.checkpoints.list({ projectId: id }),
  ]);
  return { project, briefs, tasks, checkpoints };
}

function isLoopback(address: string | undefined): boolean {
  return address === '::1' || /^(?:::ffff:)?127\./.test(address ?? '');
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.join('.') || 'body';
      return issue.message.startsWith(`${where}:`) ? issue.message : `${where}: ${issue.message}`;
    })
    .join('; ');
}

function userMessage(error: unknown): string {
  const message = (error as { userMessage?: unknown }).userMessage;
  return typeof message === 'string' ? message : errorMessage(error);
}
