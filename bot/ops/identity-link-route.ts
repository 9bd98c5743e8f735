/**
 * POST /api/ops/identities/link  { identity, handle } — an administrator (the local operator, the admin
 * token, or an identity with the admin role) links a handle to an identity; see handlers/identities.
 */
import type { Request, Response } from 'express';
import { z } from 'zod';
import { hasCode } from '../../common/errors.js';
import type { IdentityDirectory } from '../../handlers/identities/identity-directory.js';
import { viewerOf } from '../console/console-access.js';

export const LinkBodySchema = z
  .object({
    identity: z.string().trim().min(1).max(300),
    handle: z.string().trim().min(1).max(300),
  })
  .strict();

export async function linkIdentityRoute(
  identities: Pick<IdentityDirectory, 'link'>,
  req: Request,
  res: Response,
): Promise<void> {
  const viewer = viewerOf(res);
  if (viewer.via === 'identity_token' && viewer.role !== 'admin') {
    res.status(403).json({ error: 'forbidden', message: 'Only administrators link identities.' });
    return;
  }
  const body = LinkBodySchema.safeParse(req.body);
  if (!body.success) {
    res.status(400).json({ error: 'bad_request', message: z.prettifyError(body.error) });
    return;
  }
  try {
    const linked = await identities.link({
      ...body.data,
      actor: viewer.via === 'identity_token' ? viewer.identity.id : `admin:${viewer.via}`,
    });
    res.json(linked);
  } catch (error) {
    if (hasCode(error, 'NOT_FOUND') || hasCode(error, 'VALIDATION')) {
      const status = hasCode(error, 'NOT_FOUND') ? 404 : 400;
      res
        .status(status)
        .json({ error: status === 404 ? 'not_found' : 'bad_request', message: (error as Error).message });
      return;
    }
    throw error;
  }
}
