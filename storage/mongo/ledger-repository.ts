/** The cost ledger: append-only entries for LLM calls and approved spend. */
import { newId } from '../../common/ids.js';
import type { LedgerEntry } from '../../ports/domain.js';
import type { LedgerRepository, NewLedgerEntry } from '../../ports/store.js';
import type { Collections, LedgerDoc } from './documents.js';
import { asStored, nextOrder } from './documents.js';
import { toLedgerEntry } from './mapping.js';
import { isDuplicateKey } from './mongo-errors.js';

export class MongoLedgerRepository implements LedgerRepository {
  constructor(private readonly c: Collections) {}

  async append(entry: NewLedgerEntry): Promise<LedgerEntry> {
    const doc: LedgerDoc = {
      _id: newId(),
      order: nextOrder(),
      kind: entry.kind,
      projectId: entry.projectId ?? null,
      taskId: entry.taskId ?? null,
      provider: entry.provider,
      model: entry.model,
      inputTokens: entry.inputTokens,
      outputTokens: entry.outputTokens,
      cost: entry.cost,
      currency: entry.currency,
      latencyMs: entry.latencyMs,
      at: entry.at ?? new Date(),
      meta: entry.meta ?? {},
      ...(entry.effectKey ? { effectKey: entry.effectKey } : {}),
    };
    try {
      await this.c.ledger.insertOne(doc);
    } catch (error) {
      // The effect was recorded before (a replay): the first entry stands.
      if (!entry.effectKey || !isDuplicateKey(error)) throw error;
      const existing = await this.c.ledger.findOne({ effectKey: entry.effectKey });
      if (!existing) throw error;
      return toLedgerEntry(existing);
    }
    return toLedgerEntry(asStored(doc));
  }

  async list(filter: { projectId?: string; taskId?: string } = {}): Promise<LedgerEntry[]> {
    const query: { projectId?: string; taskId?: string } = {};
    if (filter.projectId !== undefined) query.projectId = filter.projectId;
    if (filter.taskId !== undefined) query.taskId = filter.taskId;
    const docs = await this.c.ledger.find(query).sort({ at: 1, order: 1, _id: 1 }).toArray();
    return docs.map(toLedgerEntry);
  }

  async totalCost(projectId: string): Promise<number> {
    const [row] = await this.c.ledger
      .aggregate<{ total: number }>([
        { $match: { projectId } },
        { $group: { _id: null, total: { $sum: '$cost' } } },
      ])
      .toArray();
    return row?.total ?? 0;
  }
}
