/**
 * Technical Operators named in a surface's configuration (Slack's SLACK_TO_USERS): each handle becomes an
 * identity with the TO role when the surface starts; a client is raised to TO, an admin stays admin.
 */
import type { Identity, IdentityHandle, IdentityRepository, Store } from '../../ports/store.js';

export interface OperatorRoster {
  /** Makes every handle a TO identity (created when new); returns them in order. */
  ensure(handles: IdentityHandle[]): Promise<Identity[]>;
}

export function operatorRoster(store: Pick<Store, 'identities'>): OperatorRoster {
  return { ensure: (handles) => ensureTechnicalOperators(store.identities, handles) };
}

export async function ensureTechnicalOperators(
  identities: Pick<IdentityRepository, 'ensureByHandle' | 'setRole'>,
  handles: IdentityHandle[],
): Promise<Identity[]> {
  const operators: Identity[] = [];
  for (const handle of handles) {
    const identity = await identities.ensureByHandle(handle, { displayName: handle.externalId, role: 'to' });
    const updated = identity.role === 'client' ? await identities.setRole(identity.id, 'to') : identity;
    operators.push(updated ?? identity);
  }
  return operators;
}
