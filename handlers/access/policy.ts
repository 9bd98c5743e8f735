/**
 * The access policy: who may do what, in one place. Every handler and surface asks it; anything not
 * granted here is denied. Privileged actions (using a credential, spending, deploying, changing a budget)
 * are never granted to agents or clients: they happen only through a checkpoint a TO decides.
 */
import type { AgentRole, Role } from '../../ports/domain.js';

export const ACTIONS = [
  'project.read',
  'project.list_all',
  'requirements.write',
  'feedback.write',
  'deliverables.read',
  'workspace.read',
  'workspace.write',
  'metrics.read',
  'audit.read',
  'credential.write',
  'credential.use',
  'checkpoint.decide',
  'deploy.execute',
  'budget.change',
  'spend.approve',
  'identity.manage',
] as const;

export type Action = (typeof ACTIONS)[number];

export type Actor =
  | { kind: 'person'; identityId: string; role: Role }
  | { kind: 'agent'; agent: AgentRole; projectId: string; taskId: string };

/** What the action is about; project-scoped actions need it. */
export interface Resource {
  projectId?: string;
  /** Owner of the project, for clients' own-project rules. */
  ownerId?: string;
}

export interface PolicyDecision {
  allowed: boolean;
  reason: string;
}

type Scope = 'any' | 'own' | 'assigned';

const GRANTS: Record<'client' | 'agent' | 'to', Partial<Record<Action, Scope>>> = {
  client: {
    'project.read': 'own',
    'deliverables.read': 'own',
    'requirements.write': 'own',
    'feedback.write': 'own',
  },
  agent: {
    'project.read': 'assigned',
    'workspace.read': 'assigned',
    'workspace.write': 'assigned',
  },
  to: {
    'project.read': 'any',
    'project.list_all': 'any',
    'deliverables.read': 'any',
    'metrics.read': 'any',
    'audit.read': 'any',
    'credential.write': 'any',
    'checkpoint.decide': 'any',
    'deploy.execute': 'any',
    'spend.approve': 'any',
  },
};

export function evaluate(actor: Actor, action: Action, resource: Resource = {}): PolicyDecision {
  if (actor.kind === 'person' && actor.role === 'admin')
    return { allowed: true, reason: 'admins may do everything' };
  const who: keyof typeof GRANTS = actor.kind === 'agent' ? 'agent' : actor.role === 'to' ? 'to' : 'client';
  const scope = GRANTS[who][action];
  if (scope === undefined) return { allowed: false, reason: `${describe(actor)} may not ${action}` };
  if (scope === 'any') return { allowed: true, reason: `${who} may ${action}` };
  if (scope === 'own') {
    const mine =
      actor.kind === 'person' && resource.ownerId !== undefined && resource.ownerId === actor.identityId;
    return mine
      ? { allowed: true, reason: `${who} may ${action} on their own project` }
      : { allowed: false, reason: `${describe(actor)} may ${action} only on their own projects` };
  }
  const assigned =
    actor.kind === 'agent' && resource.projectId !== undefined && resource.projectId === actor.projectId;
  return assigned
    ? { allowed: true, reason: `agent may ${action} in its assigned project` }
    : { allowed: false, reason: `${describe(actor)} may ${action} only in its assigned project` };
}

function describe(actor: Actor): string {
  return actor.kind === 'agent' ? `agent ${actor.agent}` : `a ${actor.role}`;
}
