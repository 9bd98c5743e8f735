/**
 * What the agents' tool loop needs of the store: its state kept with the task and fenced by the claim,
 * parking on a checkpoint and resuming from it, cancellation by the attempt, and ledger entries recorded
 * once per effect key.
 */
import { describe, expect, test } from '@jest/globals';
import { newId } from '../../../common/ids.js';
import type { NewLedgerEntry, Store, Task } from '../../../ports/store.js';
import { newProject, times, type GetStore } from './support.js';

async function readyTask(store: Store): Promise<Task> {
  const project = await newProject(store);
  const [task] = await store.tasks.createMany(project.id, [
    { key: 'api', role: 'apollo', title: 'API', spec: 'Build it', status: 'ready' },
  ]);
  return task!;
}

function llmCall(effectKey: string | undefined, cost: number): NewLedgerEntry {
  return {
    kind: 'llm',
    projectId: newId(),
    taskId: newId(),
    provider: 'openai',
    model: 'gpt-4o',
    inputTokens: 10,
    outputTokens: 5,
    cost,
    currency: 'USD',
    latencyMs: 12,
    ...(effectKey === undefined ? {} : { effectKey }),
  };
}

export function agentProgressCases(getStore: GetStore): void {
  describe('agent loop progress', () => {
    test('saveProgress stores the state for the current fence only; getProgress reads it back', async () => {
      const store = getStore();
      const task = await readyTask(store);
      expect(await store.tasks.getProgress(task.id)).toBeNull();
      expect(await store.tasks.getProgress(newId())).toBeNull();
      const first = (await store.tasks.claim(task.id, 'w1', 60_000))!;
      const state = {
        v: 1,
        step: 2,
        messages: [{ role: 'user', content: 'hi "there"' }],
        nested: { a: [1, null] },
      };
      expect(await store.tasks.saveProgress(task.id, first.fence, { state, waitingOn: null })).toBe(true);
      const stored = await store.tasks.getProgress(task.id);
      expect(stored).toMatchObject({ state, waitingOn: null });
      expect(stored!.updatedAt).toBeInstanceOf(Date);

      // The lease lapses and another attempt takes over: the old fence can no longer write.
      await store.tasks.heartbeat(task.id, first.fence, 1);
      await new Promise((resolve) => setTimeout(resolve, 20));
      const second = (await store.tasks.claim(task.id, 'w2', 60_000))!;
      expect(second.fence).toBeGreaterThan(first.fence);
      expect(
        await store.tasks.saveProgress(task.id, first.fence, { state: { stale: true }, waitingOn: null }),
      ).toBe(false);
      expect((await store.tasks.getProgress(task.id))?.state).toEqual(state);
      expect(
        await store.tasks.saveProgress(task.id, second.fence, { state: { step: 3 }, waitingOn: null }),
      ).toBe(true);
      expect((await store.tasks.getProgress(task.id))?.state).toEqual({ step: 3 });
      // Not running any more: nothing can be saved.
      await store.tasks.finish(task.id, second.fence, { status: 'done' });
      expect(await store.tasks.saveProgress(task.id, second.fence, { state: {}, waitingOn: null })).toBe(
        false,
      );
    });

    test('a task parked on a checkpoint is resumed once, by that checkpoint only, without a new attempt', async () => {
      const store = getStore();
      const task = await readyTask(store);
      const claim = (await store.tasks.claim(task.id, 'w1', 60_000))!;
      const checkpointId = newId();
      await store.tasks.saveProgress(task.id, claim.fence, { state: { step: 0 }, waitingOn: checkpointId });
      const parked = await store.tasks.finish(task.id, claim.fence, { status: 'waiting_checkpoint' });
      expect(parked).toMatchObject({ status: 'waiting_checkpoint', leaseHolder: null, leaseExpiresAt: null });
      expect((await store.tasks.getProgress(task.id))?.waitingOn).toBe(checkpointId);
      // A plain claim does not take a parked task; another checkpoint does not resume it.
      expect(await store.tasks.claim(task.id, 'w2', 60_000)).toBeNull();
      expect(await store.tasks.claimWaiting(task.id, newId(), 'w2', 60_000)).toBeNull();
      const resumed = await times(5, (i) => store.tasks.claimWaiting(task.id, checkpointId, `r${i}`, 60_000));
      const winners = resumed.filter((result) => result !== null);
      expect(winners).toHaveLength(1);
      expect(winners[0]!.task).toMatchObject({ status: 'running', attempts: claim.task.attempts });
      expect(winners[0]!.fence).toBe(claim.fence + 1);
      expect(await store.tasks.claimWaiting(newId(), checkpointId, 'x', 60_000)).toBeNull();
    });

    test('the attempt can cancel its task with the reason', async () => {
      const store = getStore();
      const task = await readyTask(store);
      const claim = (await store.tasks.claim(task.id, 'w1', 60_000))!;
      const cancelled = await store.tasks.finish(task.id, claim.fence, {
        status: 'cancelled',
        error: 'cancelled: spend rejected: too expensive',
      });
      expect(cancelled).toMatchObject({
        status: 'cancelled',
        lastError: 'cancelled: spend rejected: too expensive',
      });
    });

    test('ledger entries with an effect key are recorded once, even when appended concurrently', async () => {
      const store = getStore();
      const key = `llm:${newId()}:3`;
      const entries = await times(6, (i) => store.ledger.append(llmCall(key, 0.5 + i)));
      expect(new Set(entries.map((entry) => entry.id)).size).toBe(1);
      expect(entries.every((entry) => entry.effectKey === key)).toBe(true);
      const again = await store.ledger.append(llmCall(key, 99));
      expect(again.id).toBe(entries[0]!.id);
      expect(again.cost).toBe(entries[0]!.cost);
      // Entries without a key are never merged.
      const plain = await times(2, () => store.ledger.append(llmCall(undefined, 1)));
      expect(plain[0]!.id).not.toBe(plain[1]!.id);
      expect(plain[0]!.effectKey).toBeUndefined();
    });
  });
}
