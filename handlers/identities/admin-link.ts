/**
 * An administrator links a handle to an identity (`olympus identities link`): the handle is taken from
 * whoever holds it (an identity left without handles is merged in) and the link is audited.
 */
import { OlympusError } from '../../common/errors.js';
import type { Identity, Store } from '../../ports/store.js';
import { handleLabel, parseHandle } from './handle-text.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AdminLinkResult {
  identity: Identity;
  previousOwner: string | null;
  merged: boolean;
}

/** `identity` is an identity id or one of its handles; `handle` the handle to link to it. */
export async function adminLink(
  store: Store,
  input: { identity: string; handle: string; actor: string },
): Promise<AdminLinkResult> {
  const target = UUID.test(input.identity.trim())
    ? await store.identities.get(input.identity.trim())
    : await store.identities.findByHandle(parseHandle(input.identity));
  if (!target) {
    throw new OlympusError('NOT_FOUND', `no identity ${input.identity}`, {
      userMessage: `No identity ${input.identity}.`,
    });
  }
  const handle = parseHandle(input.handle);
  const moved = await store.identityLinks.moveHandle(target.id, handle);
  if (!moved) throw new OlympusError('NOT_FOUND', `no identity ${target.id}`);
  await store.audit.append({
    actor: input.actor,
    action: 'identity.linked',
    subjectType: 'identity',
    subjectId: target.id,
    data: {
      handle: handleLabel(handle),
      previousOwner: moved.previousOwner,
      merged: moved.merged,
      by: 'admin',
    },
  });
  return moved;
}
