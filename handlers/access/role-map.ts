/**
 * Roles by configuration: identities named in `OLYMPUS_OPERATORS` get the TO role and those in
 * `OLYMPUS_ADMINS` the admin role, on any surface (`slack:U…`, `discord:<id>`, `email:<address>`,
 * `console:<name>`). Applied at start: each listed handle's identity is created if new, and its role raised
 * to the configured one (a configured TO who is an admin stays admin). Every change is audited.
 */
import { z } from 'zod';
import type { Identity, IdentityHandle, Role, Store, Surface } from '../../ports/store.js';

const SURFACES = ['slack', 'discord', 'email', 'console'] as const satisfies readonly Surface[];

const HANDLE_FORMS: Record<Surface, RegExp> = {
  slack: /^[UW][A-Z0-9]{2,}$/,
  discord: /^\d{5,25}$/,
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  console: /^[\w.@+-]{1,80}$/,
};

/** `surface:externalId`, validated per surface; email addresses are lower-cased as stored handles are. */
export const handleSchema = z
  .string()
  .trim()
  .transform((value, context): IdentityHandle => {
    const colon = value.indexOf(':');
    const surface = value.slice(0, colon) as Surface;
    const externalId = value.slice(colon + 1).trim();
    if (colon < 1 || !SURFACES.includes(surface)) {
      context.addIssue({
        code: 'custom',
        message: `"${value}" must start with one of ${SURFACES.map((name) => `${name}:`).join(', ')}`,
      });
      return z.NEVER;
    }
    if (!HANDLE_FORMS[surface].test(externalId)) {
      context.addIssue({ code: 'custom', message: `"${value}" is not a valid ${surface} id` });
      return z.NEVER;
    }
    return { surface, externalId: surface === 'email' ? externalId.toLowerCase() : externalId };
  });

/** A comma-separated list of handles, e.g. `slack:U123, email:ops@example.com`. */
export const handleListSchema = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean),
  )
  .pipe(z.array(handleSchema));

export interface RoleMap {
  operators: IdentityHandle[];
  admins: IdentityHandle[];
}

const RANK: Record<Role, number> = { client: 0, to: 1, admin: 2 };

/** Gives every configured handle at least its configured role; returns the identities it touched. */
export async function applyRoleMap(store: Store, roles: RoleMap): Promise<Identity[]> {
  const touched: Identity[] = [];
  const wanted: [IdentityHandle, Role][] = [
    ...roles.operators.map((handle): [IdentityHandle, Role] => [handle, 'to']),
    ...roles.admins.map((handle): [IdentityHandle, Role] => [handle, 'admin']),
  ];
  for (const [handle, role] of wanted) {
    const identity = await store.identities.ensureByHandle(handle, {
      displayName: handle.externalId,
      role,
    });
    if (RANK[identity.role] >= RANK[role]) {
      touched.push(identity);
      continue;
    }
    const updated = await store.identities.setRole(identity.id, role);
    await store.audit.append({
      actor: 'system',
      action: 'identity.role_configured',
      subjectType: 'identity',
      subjectId: identity.id,
      data: { handle: `${handle.surface}:${handle.externalId}`, from: identity.role, to: role },
    });
    touched.push(updated ?? identity);
  }
  return touched;
}
