/**
 * The audit log, a hash chain. Each event's `seq` is its `_id`, so the primary key's uniqueness is the
 * serialisation point across processes: an appender reads the latest event, builds `seq + 1` on top of
 * its hash and inserts it; if another appender took that `seq` first the insert fails with E11000 and
 * it retries on the new head. There is no separate head document, so nothing can be left half-updated
 * by a crash: the chain's head is always simply the event with the highest `seq`.
 *
 * `data` is stored as its JSON form (what the hash covers), so reading it back from BSON yields exactly
 * the hashed value (no `undefined`, Dates as ISO strings) and `verify` recomputes identical hashes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { OlympusError } from '../../common/errors.js';
import { ChainVerifier, GENESIS_HASH, hashAuditEvent } from '../audit-chain.js';
import type { AuditEvent } from '../../ports/domain.js';
import type { AuditRepository, AuditVerification, NewAuditEvent } from '../../ports/store.js';
import type { AuditDoc, Collections } from './documents.js';
import { asStored } from './documents.js';
import { toAuditEvent } from './mapping.js';
import { isDuplicateKey } from './mongo-errors.js';

/** Each failed attempt means another append landed, so this bounds only pathological contention. */
const APPEND_ATTEMPTS = 100;

function jsonData(data: Record<string, unknown> | undefined): Record<string, unknown> {
  if (data === undefined) return {};
  return JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
}

export class MongoAuditRepository implements AuditRepository {
  constructor(private readonly c: Collections) {}

  async append(input: NewAuditEvent): Promise<AuditEvent> {
    const data = jsonData(input.data);
    let lastError: unknown;
    for (let attempt = 0; attempt < APPEND_ATTEMPTS; attempt += 1) {
      const head = await this.c.audit.findOne(
        {},
        { sort: { _id: -1 }, projection: { _id: 1, hash: 1 }, readPreference: 'primary' },
      );
      const event: AuditEvent = {
        seq: (head?._id ?? 0) + 1,
        at: new Date(),
        actor: input.actor,
        action: input.action,
        subjectType: input.subjectType,
        subjectId: input.subjectId,
        data,
        prevHash: head?.hash ?? GENESIS_HASH,
        hash: '',
      };
      event.hash = hashAuditEvent(event);
      const { seq, ...fields } = event;
      const doc: AuditDoc = { _id: seq, ...fields };
      try {
        await this.c.audit.insertOne(doc);
        return toAuditEvent(asStored(doc));
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        lastError = error;
      }
      // Lost the race for this seq: retry at once, then with a little jitter to spread a crowd out.
      if (attempt >= 2) await sleep(Math.floor(Math.random() * Math.min(50, 2 ** attempt)));
    }
    throw new OlympusError(
      'STORE_CONFLICT',
      `audit append lost ${APPEND_ATTEMPTS} races for the chain head`,
      {
        retryable: true,
        cause: lastError,
      },
    );
  }

  async list(filter: { subjectId?: string; afterSeq?: number; limit?: number } = {}): Promise<AuditEvent[]> {
    if (filter.limit !== undefined && filter.limit <= 0) return [];
    const query: { subjectId?: string; _id?: { $gt: number } } = {};
    if (filter.subjectId !== undefined) query.subjectId = filter.subjectId;
    if (filter.afterSeq !== undefined) query._id = { $gt: filter.afterSeq };
    let cursor = this.c.audit.find(query).sort({ _id: 1 });
    if (filter.limit !== undefined) cursor = cursor.limit(filter.limit);
    const docs = await cursor.toArray();
    return docs.map(toAuditEvent);
  }

  /** Streams the whole chain in `seq` order through a `ChainVerifier`; stops at the first broken event. */
  async verify(): Promise<AuditVerification> {
    const verifier = new ChainVerifier();
    const cursor = this.c.audit.find({}).sort({ _id: 1 });
    try {
      for await (const doc of cursor) {
        if (verifier.push(toAuditEvent(doc))) break;
      }
    } finally {
      await cursor.close();
    }
    return verifier.result();
  }
}
