/**
 * The audit log's hash chain, shared by every storage adapter: each event's hash covers its own fields
 * (canonical JSON, RFC 8785) and the previous event's hash, so editing or deleting any event shows.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AuditEvent } from './domain.js';
import type { AuditVerification } from './ports.js';

export const GENESIS_HASH = '0'.repeat(64);

export type UnhashedAuditEvent = Omit<AuditEvent, 'hash'>;

export function hashAuditEvent(event: UnhashedAuditEvent): string {
  const canonical = canonicalize({
    seq: event.seq,
    at: event.at.toISOString(),
    actor: event.actor,
    action: event.action,
    subjectType: event.subjectType,
    subjectId: event.subjectId,
    data: event.data,
    prevHash: event.prevHash,
  });
  if (canonical === undefined) throw new Error('audit event cannot be canonicalised');
  return createHash('sha256').update(canonical).digest('hex');
}

/** Checks a run of events in `seq` order, starting from the chain's beginning. */
export function verifyChain(events: Iterable<AuditEvent>): AuditVerification {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let count = 0;
  for (const event of events) {
    if (event.seq !== expectedSeq) {
      return { ok: false, count, brokenAt: event.seq, reason: `expected event ${expectedSeq}, found ${event.seq}` };
    }
    if (event.prevHash !== prevHash) {
      return { ok: false, count, brokenAt: event.seq, reason: 'previous-hash link does not match' };
    }
    if (hashAuditEvent(event) !== event.hash) {
      return { ok: false, count, brokenAt: event.seq, reason: 'event content does not match its hash' };
    }
    prevHash = event.hash;
    expectedSeq += 1;
    count += 1;
  }
  return { ok: true, count };
}
