/**
 * Checkpoints: human decisions. `decide` is one compare-and-set on `status: 'pending'`; a won decision's
 * audit event is appended right after it (no multi-document transaction here).
 */
import { newId } from '../../common/ids.js';
import type {
  CardRef,
  Checkpoint,
  CheckpointDecision,
  CheckpointRequest,
  CheckpointStatus,
  CheckpointWaiter,
} from '../../ports/domain.js';
import type {
  AuditRepository,
  CheckpointRepository,
  DecideOptions,
  DecideResult,
  DecisionInput,
  NewCheckpoint,
} from '../../ports/store.js';
import type { CheckpointDoc, Collections } from './documents.js';
import { asStored, nextOrder } from './documents.js';
import { toCheckpoint } from './mapping.js';

export class MongoCheckpointRepository implements CheckpointRepository {
  /** `audit` appends a won decision's event: the store's own (guarded) audit repository. */
  constructor(
    private readonly c: Collections,
    private readonly audit: Pick<AuditRepository, 'append'>,
  ) {}

  async open(input: NewCheckpoint): Promise<Checkpoint> {
    const doc: CheckpointDoc = {
      _id: newId(),
      order: nextOrder(),
      projectId: input.projectId,
      taskId: input.taskId ?? null,
      kind: input.kind,
      requestedBy: input.requestedBy,
      request: input.request,
      status: 'pending',
      decision: null,
      cards: [],
      waiters: (input.waiters ?? []).map((waiter) => waiterEntry(waiter)),
      remindersSent: 0,
      expiresAt: input.expiresAt ?? null,
      createdAt: new Date(),
      decidedAt: null,
    };
    await this.c.checkpoints.insertOne(doc);
    return toCheckpoint(asStored(doc));
  }

  async get(id: string): Promise<Checkpoint | null> {
    const doc = await this.c.checkpoints.findOne({ _id: id });
    return doc ? toCheckpoint(doc) : null;
  }

  async list(filter: { projectId?: string; status?: CheckpointStatus[] } = {}): Promise<Checkpoint[]> {
    const query: { projectId?: string; status?: { $in: CheckpointStatus[] } } = {};
    if (filter.projectId !== undefined) query.projectId = filter.projectId;
    if (filter.status !== undefined) query.status = { $in: filter.status };
    const docs = await this.c.checkpoints.find(query).sort({ order: 1, _id: 1 }).toArray();
    return docs.map(toCheckpoint);
  }

  /** Of many concurrent deciders exactly one matches `status: 'pending'`; the others read the result. */
  async decide(id: string, input: DecisionInput, options: DecideOptions = {}): Promise<DecideResult> {
    const at = new Date();
    const decision: CheckpointDecision = { outcome: input.outcome, by: input.by, at };
    if (input.changes !== undefined) decision.changes = input.changes;
    if (input.reason !== undefined) decision.reason = input.reason;
    const won = await this.c.checkpoints.findOneAndUpdate(
      {
        _id: id,
        status: 'pending',
        ...(options.expectedActionHash !== undefined
          ? { 'request.actionHash': options.expectedActionHash }
          : {}),
      },
      { $set: { status: input.outcome, decision, decidedAt: at } },
      { returnDocument: 'after' },
    );
    if (!won) return { won: false, checkpoint: await this.get(id) };
    const checkpoint = toCheckpoint(won);
    if (options.audit) await this.audit.append(options.audit(checkpoint));
    return { won: true, checkpoint };
  }

  async revise(id: string, request: CheckpointRequest): Promise<Checkpoint | null> {
    const doc = await this.c.checkpoints.findOneAndUpdate(
      { _id: id, status: 'pending' },
      { $set: { request } },
      { returnDocument: 'after' },
    );
    return doc ? toCheckpoint(doc) : null;
  }

  /** Adds the card unless the same surface+channel+messageId is recorded already. */
  async addCard(id: string, card: CardRef): Promise<Checkpoint | null> {
    const ref: CardRef = { surface: card.surface, channel: card.channel, messageId: card.messageId };
    const doc = await this.c.checkpoints.findOneAndUpdate(
      { _id: id },
      { $addToSet: { cards: ref } },
      { returnDocument: 'after' },
    );
    return doc ? toCheckpoint(doc) : null;
  }

  /** Appends the task unless an entry for it is there already (one update). */
  async addWaiter(id: string, waiter: Omit<CheckpointWaiter, 'at'>): Promise<Checkpoint | null> {
    const added = await this.c.checkpoints.findOneAndUpdate(
      { _id: id, 'waiters.taskId': { $ne: waiter.taskId } },
      { $push: { waiters: waiterEntry(waiter) } },
      { returnDocument: 'after' },
    );
    return added ? toCheckpoint(added) : this.get(id);
  }

  async recordReminder(id: string): Promise<number | null> {
    const doc = await this.c.checkpoints.findOneAndUpdate(
      { _id: id },
      { $inc: { remindersSent: 1 } },
      { returnDocument: 'after', projection: { remindersSent: 1 } },
    );
    return doc ? doc.remindersSent : null;
  }
}

function waiterEntry(waiter: Omit<CheckpointWaiter, 'at'>): CheckpointWaiter {
  return {
    taskId: waiter.taskId,
    taskKey: waiter.taskKey,
    role: waiter.role,
    title: waiter.title,
    at: new Date(),
  };
}
