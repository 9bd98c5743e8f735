/**
 * Asks the policy and records every denial in the audit log. Handlers call `require` before acting.
 */
import { OlympusError } from '../../common/errors.js';
import type { AuditRepository } from '../../ports/store.js';
import { evaluate, type Action, type Actor, type PolicyDecision, type Resource } from './policy.js';

export class AccessGuard {
  constructor(private readonly audit: Pick<AuditRepository, 'append'>) {}

  /** The decision, with a denial written to the audit log. */
  async check(actor: Actor, action: Action, resource: Resource = {}): Promise<PolicyDecision> {
    const decision = evaluate(actor, action, resource);
    if (!decision.allowed) {
      await this.audit.append({
        actor: actorId(actor),
        action: 'access.denied',
        subjectType: resource.projectId ? 'project' : 'action',
        subjectId: resource.projectId ?? action,
        data: { action, reason: decision.reason },
      });
    }
    return decision;
  }

  /** Throws FORBIDDEN (audited) unless allowed. */
  async require(actor: Actor, action: Action, resource: Resource = {}): Promise<void> {
    const decision = await this.check(actor, action, resource);
    if (!decision.allowed) {
      throw new OlympusError('FORBIDDEN', decision.reason, {
        userMessage: "You don't have permission to do that.",
        details: { action },
      });
    }
  }
}

export function actorId(actor: Actor): string {
  return actor.kind === 'agent' ? `agent:${actor.agent}:${actor.taskId}` : `identity:${actor.identityId}`;
}
