/**
 * Identity lookups for the surfaces and the ops API: an identity by id or handle, the identity a login
 * or a sender stands for (created when new), every identity (operators' view), the local operator, who
 * an ops command's `--as` names, and an administrator's link of a handle to an identity.
 */
import type { Identity, IdentityHandle, Role, Store } from '../../ports/store.js';
import { adminLink, type AdminLinkResult } from './admin-link.js';
import { operatorIdentity } from './operator-identity.js';
import { resolveIdentity } from '../ops/ops-queries.js';

export interface IdentityDirectory {
  get(id: string): Promise<Identity | null>;
  findByHandle(handle: IdentityHandle): Promise<Identity | null>;
  /** The identity holding the handle, created with these defaults when there is none. */
  ensure(handle: IdentityHandle, defaults: { displayName: string; role?: Role }): Promise<Identity>;
  list(): Promise<Identity[]>;
  /** The local operator (an admin). */
  operator(): Promise<Identity>;
  /** An identity id, `surface:id`, an address or a console name; never creates one. */
  resolve(as: string): Promise<Identity | null>;
  /** `identity` (an id or a handle) gets `handle`; audited under `actor`. */
  link(input: { identity: string; handle: string; actor: string }): Promise<AdminLinkResult>;
}

export function identityDirectory(store: Store): IdentityDirectory {
  return {
    get: (id) => store.identities.get(id),
    findByHandle: (handle) => store.identities.findByHandle(handle),
    ensure: (handle, defaults) => store.identities.ensureByHandle(handle, defaults),
    list: () => store.identities.list(),
    operator: () => operatorIdentity(store),
    resolve: (as) => resolveIdentity(store, as),
    link: (input) => adminLink(store, input),
  };
}
