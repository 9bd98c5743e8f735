/**
 * `POST /api/ops/checkpoints/:id/credential` `{ as, value }`: a TO provides the value a credential checkpoint
 * asks for (`olympus checkpoints decide <id> approve --as <to> --secret-stdin`). Same access as the rest of
 * the ops API (loopback or a console token); the value goes to provideCredential (vault + the one decision
 * handler) and is never logged or echoed.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import type { Logger } from '../../common/logging/logger.js';
import type { SurfaceUseCases } from '../../handlers/surface-use-cases.js';
import { requireViewer, viewerOf, type ConsoleAccessSettings } from '../console/console-access.js';

export interface ProvideCredentialRouteOptions {
  /** Identities and the checkpoint desk, which holds the vault (handlers/surface-use-cases.ts). */
  useCases: Pick<SurfaceUseCases, 'identities' | 'desk'>;
  logger: Logger;
  access?: ConsoleAccessSettings;
}

const BodySchema = z
  .object({ as: z.string().trim().min(1).max(200), value: z.string().min(1).max(65_536) })
  .strict();

const STATUS_OF = { decided: 200, already_decided: 409, refused: 403, not_found: 404, invalid: 400 } as const;

export function provideCredentialRoute(options: ProvideCredentialRouteOptions): Router {
  const { identities, desk } = options.useCases;
  const router = express.Router();
  const path = '/api/ops/checkpoints/:id/credential';
  router.post(
    path,
    requireViewer(identities, options.access ?? { adminToken: null, identityTokens: [] }),
    express.json({ limit: '80kb' }),
    (req: Request, res: Response, next: NextFunction) => {
      const id = z.uuid().safeParse(req.params.id);
      const body = BodySchema.safeParse(req.body);
      if (!id.success || !body.success) {
        // Never echo the body: it carries the secret.
        res.status(400).json({
          error: 'bad_request',
          message: !id.success
            ? 'id: expected a checkpoint id (UUID)'
            : 'expected { as, value } with a non-empty value',
        });
        return;
      }
      const viewer = viewerOf(res);
      const work = async () => {
        const by =
          viewer.via === 'identity_token'
            ? { ...viewer.identity, role: viewer.role }
            : await identities.resolve(body.data.as);
        const result = await desk.provideCredential({
          checkpointId: id.data,
          value: body.data.value,
          by,
          byLabel: `cli:${body.data.as}`,
        });
        const message =
          result.status === 'decided'
            ? 'The credential is stored in the vault and the checkpoint approved.'
            : result.message;
        res.status(STATUS_OF[result.status]).json({ status: result.status, message });
      };
      work().catch((error: unknown) => {
        options.logger.warn('providing a credential failed', { checkpointId: id.data });
        next(error);
      });
    },
  );
  return router;
}
