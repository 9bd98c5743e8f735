/**
 * The audit log's hash chain, shared by every storage adapter: each event's hash covers its own fields
 * (canonical JSON, RFC 8785) and the previous event's hash, so editing or deleting any event shows.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { AuditEvent } from '../ports/domain.js';
import type { AuditVerification } from '../ports/store.js';

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

/**
 * Checks events one at a time, in `seq` order from the chain's beginning: `push` returns the failure at
 * the first event that breaks the chain (and keeps returning it), `result` the verdict so far. Lets an
 * adapter verify a long chain in batches without holding it in memory.
 */
export class ChainVerifier {
  private prevHash = GENESIS_HASH;
  private expectedSeq = 1;
  private count = 0;
  private failure: AuditVerification | null = null;

  push(event: AuditEvent): AuditVerification | null {
    if (this.failure) return this.failure;
    const broken = (reason: string): AuditVerification => ({
      ok: false,
      count: this.count,
      brokenAt: event.seq,
      reason,
    });
    if (event.seq !== this.expectedSeq) {
      this.failure = broken(`expected event ${this.expectedSeq}, found ${event.seq}`);
    } else if (event.prevHash !== this.prevHash) {
      this.failure = broken('previous-hash link does not match');
    } else if (hashAuditEvent(event) !== event.hash) {
      this.failure = broken('event content does not match its hash');
    } else {
      this.prevHash = event.hash;
      this.expectedSeq += 1;
      this.count += 1;
    }
    return this.failure;
  }

  result(): AuditVerification {
    return this.failure ?? { ok: true, count: this.count };
  }
}

/** Checks a run of events in `seq` order, starting from the chain's beginning. */
export function verifyChain(events: Iterable<AuditEvent>): AuditVerification {
  const verifier = new ChainVerifier();
  for (const event of events) {
    if (verifier.push(event)) break;
  }
  return verifier.result();
}

/** `verifyChain` for events read in batches (a database cursor, paged queries). */
export async function verifyChainAsync(events: AsyncIterable<AuditEvent>): Promise<AuditVerification> {
  const verifier = new ChainVerifier();
  for await (const event of events) {
    if (verifier.push(event)) break;
  }
  return verifier.result();
}
