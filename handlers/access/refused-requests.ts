/**
 * Inbound requests a surface turned away before storing them (a Slack request from a workspace or
 * enterprise Olympus does not serve, an event from a channel shared with another organisation): one
 * audit event per request, `inbound.refused`, naming where it came from and why.
 */
import type { AuditRepository, Store, Surface } from '../../ports/store.js';

export interface RefusedRequest {
  surface: Surface;
  /** Why it was turned away (`foreign_team`, `foreign_enterprise`, `ext_shared_channel`…). */
  reason: string;
  /** The request's natural key (never stored in the inbox). */
  key: string;
  /** What it was: `event`, `block_actions`, `view_submission`, `command`, `options`. */
  kind: string;
  /** Where it came from (team, enterprise, user…), as the request says. */
  origin: Record<string, unknown>;
}

export interface RefusedRequests {
  record(refusal: RefusedRequest): Promise<void>;
}

export function refusedRequests(store: Pick<Store, 'audit'>): RefusedRequests {
  return { record: (refusal) => recordRefusal(store.audit, refusal) };
}

async function recordRefusal(audit: Pick<AuditRepository, 'append'>, refusal: RefusedRequest) {
  await audit.append({
    actor: 'system',
    action: 'inbound.refused',
    subjectType: 'inbound_request',
    subjectId: refusal.key,
    data: { surface: refusal.surface, reason: refusal.reason, kind: refusal.kind, ...refusal.origin },
  });
}
