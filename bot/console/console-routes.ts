/**
 * The console surface: an HTTP API through which a person talks to Hermes, and reads conversations and
 * projects; `olympus chat` and the web console are its clients. Every route is behind the console login
 * (console-access.ts): on loopback with no token configured the caller is the local operator (an admin,
 * who may speak as anyone); otherwise a token says who is calling, and a client speaks only as themselves.
 *
 *   POST /api/console/login              { token } → sets the web page's session cookie
 *   POST /api/console/logout             clears it
 *   POST /api/console/messages           { as, text, messageId? } → { reply, conversationId, state, draft, projectId? }
 *   GET  /api/console/conversations/:id  the conversation with its messages
 *   GET  /api/projects/:id               the project with its brief versions, tasks and checkpoints
 *   GET  /api/console/events             server-sent events (console-events.ts)
 *   …and the web console's views (console-views.ts) and a project's deliverables (console-deliverables.ts).
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { errorMessage, hasCode } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { Logger } from '../../common/logging/logger.js';
import type { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
import {
  allowed,
  authenticate,
  requireViewer,
  setSessionCookie,
  SESSION_COOKIE,
  viewerOf,
  type ConsoleAccessSettings,
} from './console-access.js';
import type { ConsoleEvents } from './console-events.js';
import { consoleHandle } from './console-handle.js';
import { consoleDeliverables } from './console-deliverables.js';
import { consoleViews, type ConsoleViewUseCases } from './console-views.js';

export { consoleHandle };

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
  /** Reads, logins and the checkpoint desk (handlers/surface-use-cases.ts). */
  useCases: ConsoleViewUseCases;
  /** Where client messages go: the intake, behind identity linking. */
  handler: Pick<ClientMessageHandler, 'dispatch'>;
  logger: Logger;
  /** Who may log in; default: no tokens (loopback callers are the local operator). */
  access?: ConsoleAccessSettings;
  /** Live updates; without it, /api/console/events is not served. */
  events?: ConsoleEvents;
}

const NO_TOKENS: ConsoleAccessSettings = { adminToken: null, identityTokens: [] };
const LoginSchema = z.object({ token: z.string().trim().min(1).max(500) }).strict();

export function consoleRoutes(options: ConsoleRoutesOptions): Router {
  const router = express.Router();
  const access = options.access ?? NO_TOKENS;
  const { useCases } = options;
  router.use(['/api/console', '/api/projects'], express.json({ limit: '64kb' }));
  router.post('/api/console/login', (req, res, next) => {
    const parsed = LoginSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'bad_request', message: 'token: give your console token' });
      return;
    }
    req.headers.authorization = `Bearer ${parsed.data.token}`;
    authenticate(req, useCases.identities, access)
      .then((result) => {
        if (!result.ok) {
          res.status(401).json({ error: 'unauthorized', message: result.message });
          return;
        }
        setSessionCookie(res, parsed.data.token, req.secure);
        res.json({ ok: true, role: result.viewer.role, displayName: result.viewer.identity.displayName });
      })
      .catch(next);
  });
  router.post('/api/console/logout', (_req, res) => {
    res.clearCookie(SESSION_COOKIE, { path: '/' });
    res.json({ ok: true });
  });
  router.use(['/api/console', '/api/projects'], requireViewer(useCases.identities, access));
  if (options.events) {
    const events = options.events;
    router.get('/api/console/events', (req, res) => events.serve(req, res));
  }

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
    const viewer = viewerOf(res);
    const own = viewer.identity.handles.some(
      (mine) => mine.surface === handle.surface && mine.externalId === handle.externalId,
    );
    if (viewer.role !== 'admin' && !own) {
      res.status(403).json({ error: 'forbidden', message: 'You may speak only as yourself.' });
      return;
    }
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
        if (options.events) {
          const events = options.events;
          // The event names the conversation's owner, so their own page (if open) follows too.
          useCases.threads
            .conversation(result.conversationId)
            .then((conversation) =>
              events.publish({
                type: 'conversation',
                conversationId: result.conversationId,
                ...(conversation ? { identityId: conversation.identityId } : {}),
                projectId: result.projectId ?? null,
              }),
            )
            .catch((error: unknown) =>
              options.logger.warn('console event not published', { error: errorMessage(error) }),
            );
        }
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
    useCases.threads
      .conversation(id.data)
      .then((conversation) => {
        const viewer = viewerOf(res);
        if (!conversation)
          res.status(404).json({ error: 'not_found', message: `No conversation ${id.data}` });
        else if (conversation.identityId !== viewer.identity.id && !allowed(viewer, 'project.list_all'))
          res.status(403).json({ error: 'forbidden', message: 'That conversation is not yours.' });
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
    useCases.projects
      .withVersions(id.data)
      .then((project) => {
        if (!project) res.status(404).json({ error: 'not_found', message: `No project ${id.data}` });
        else if (!allowed(viewerOf(res), 'project.read', project.project))
          res.status(403).json({ error: 'forbidden', message: 'You may see your own projects only.' });
        else res.json(project);
      })
      .catch(next);
  });

  router.use(consoleViews({ useCases }));
  router.use(consoleDeliverables(useCases));

  router.use(
    ['/api/console', '/api/projects'],
    (error: unknown, req: Request, res: Response, next: NextFunction) => {
      // Bodies the parser refused (too large, not JSON) are answered by finishHttpApp, as on every route.
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
    },
  );
  return router;
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
