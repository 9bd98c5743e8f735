/**
 * Records checkpoint and LLM metrics where the facts are stored, so every path that opens or decides a
 * checkpoint (Slack, console, CLI, orchestrator, expiry) and every LLM call (its ledger entry) is counted
 * once, without each caller knowing about metrics. The composition root wraps the store with it.
 */
import type {
  CheckpointRepository,
  LedgerRepository,
  NewCheckpoint,
  NewLedgerEntry,
  Store,
} from '../../ports/store.js';
import { stalledKindOf } from '../../ports/stalled-work.js';
import type { Metrics } from './metrics.js';

type CheckpointMetrics = Pick<
  Metrics,
  'checkpointsOpened' | 'checkpointsDecided' | 'decisionLatency' | 'workStalled'
>;
type LlmMetrics = Pick<Metrics, 'llmTokens' | 'llmCost'>;

export function instrumentCheckpoints(
  checkpoints: CheckpointRepository,
  metrics: CheckpointMetrics,
): CheckpointRepository {
  return {
    async open(input: NewCheckpoint) {
      const checkpoint = await checkpoints.open(input);
      metrics.checkpointsOpened.inc({ kind: checkpoint.kind });
      const stalled = stalledKindOf(checkpoint);
      if (stalled) metrics.workStalled.inc({ kind: stalled });
      return checkpoint;
    },
    async decide(id, decision, options) {
      const result = await checkpoints.decide(id, decision, options);
      if (result.won) {
        const { kind, createdAt, decidedAt } = result.checkpoint;
        metrics.checkpointsDecided.inc({ kind, outcome: result.checkpoint.status });
        const waitedMs = (decidedAt ?? new Date()).getTime() - createdAt.getTime();
        metrics.decisionLatency.observe({ kind }, Math.max(0, waitedMs) / 1000);
      }
      return result;
    },
    get: (id) => checkpoints.get(id),
    list: (filter) => checkpoints.list(filter),
    addWaiter: (id, waiter) => checkpoints.addWaiter(id, waiter),
    revise: (id, request) => checkpoints.revise(id, request),
    addCard: (id, card) => checkpoints.addCard(id, card),
    recordReminder: (id) => checkpoints.recordReminder(id),
  };
}

/** Counts what an appended ledger entry says; entries that were already recorded are not counted again. */
export function countLlmEntry(
  metrics: LlmMetrics,
  entry: Pick<NewLedgerEntry, 'kind' | 'provider' | 'model' | 'inputTokens' | 'outputTokens' | 'cost'>,
): void {
  if (entry.kind !== 'llm') return;
  const labels = { provider: entry.provider, model: entry.model };
  metrics.llmTokens.inc({ ...labels, direction: 'input' }, entry.inputTokens);
  metrics.llmTokens.inc({ ...labels, direction: 'output' }, entry.outputTokens);
  if (entry.cost > 0) metrics.llmCost.inc(labels, entry.cost);
}

export function instrumentLedger(ledger: LedgerRepository, metrics: LlmMetrics): LedgerRepository {
  // Every method is delegated; `append` also counts. Methods added to the port later pass through as-is.
  const instrumented = Object.create(ledger) as LedgerRepository;
  instrumented.append = async (entry: NewLedgerEntry) => {
    const stored = await ledger.append(entry);
    countLlmEntry(metrics, stored);
    return stored;
  };
  return instrumented;
}

/** The store with checkpoint and ledger writes counted; everything else is the store itself. */
export function instrumentStore(store: Store, metrics: Metrics): Store {
  const checkpoints = instrumentCheckpoints(store.checkpoints, metrics);
  const ledger = instrumentLedger(store.ledger, metrics);
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'checkpoints') return checkpoints;
      if (property === 'ledger') return ledger;
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}
