/**
 * The local operator: whoever runs Olympus on this machine, or holds the console's admin token. One
 * identity (`console:operator`), created on first use and raised to admin (audited), remembered per store.
 */
import type { Identity, IdentityHandle, Store } from '../../ports/store.js';

export const OPERATOR_HANDLE: IdentityHandle = { surface: 'console', externalId: 'operator' };

type IdentityPorts = Pick<Store, 'identities' | 'audit'>;

const operators = new WeakMap<IdentityPorts, Promise<Identity>>();

export function operatorIdentity(store: IdentityPorts): Promise<Identity> {
  let known = operators.get(store);
  if (known === undefined) {
    known = ensureOperator(store);
    operators.set(store, known);
    known.catch(() => operators.delete(store));
  }
  return known;
}

async function ensureOperator(store: IdentityPorts): Promise<Identity> {
  const identity = await store.identities.ensureByHandle(OPERATOR_HANDLE, {
    displayName: 'Local operator',
    role: 'admin',
  });
  if (identity.role === 'admin') return identity;
  const raised = await store.identities.setRole(identity.id, 'admin');
  await store.audit.append({
    actor: 'system',
    action: 'identity.role_changed',
    subjectType: 'identity',
    subjectId: identity.id,
    data: { from: identity.role, to: 'admin', reason: 'console operator' },
  });
  return raised ?? { ...identity, role: 'admin' };
}
