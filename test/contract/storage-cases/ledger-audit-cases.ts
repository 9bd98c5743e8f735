import { describe, expect, test } from '@jest/globals';
import { newId } from '../../../common/ids.js';
import type { NewLedgerEntry } from '../../../ports/store.js';
import { times, uniqueKey, type GetStore } from './support.js';

function llmCall(projectId: string | null, cost: number, taskId: string | null = null): NewLedgerEntry {
  return {
    kind: 'llm',
    projectId,
    taskId,
    provider: 'ollama',
    model: 'qwen',
    inputTokens: 120,
    outputTokens: 40,
    cost,
    currency: 'USD',
    latencyMs: 812.5,
  };
}

export function ledgerCases(getStore: GetStore): void {
  describe('ledger', () => {
    test('append fills id, at and meta; list filters; totalCost sums', async () => {
      const store = getStore();
      const projectId = newId();
      const taskId = newId();
      const at = new Date('2024-05-01T10:00:00.123Z');
      const first = await store.ledger.append({
        ...llmCall(projectId, 0.25, taskId),
        at,
        meta: { purpose: 'intake' },
      });
      expect(first).toMatchObject({ ...llmCall(projectId, 0.25, taskId), at, meta: { purpose: 'intake' } });
      expect(typeof first.id).toBe('string');
      const second = await store.ledger.append({ ...llmCall(projectId, 1.5), kind: 'spend' });
      expect(second.at).toBeInstanceOf(Date);
      expect(second.meta).toEqual({});
      await store.ledger.append(llmCall(newId(), 9));
      await store.ledger.append(llmCall(null, 3));
      expect((await store.ledger.list({ projectId })).map((e) => e.id)).toEqual([first.id, second.id]);
      expect((await store.ledger.list({ taskId })).map((e) => e.id)).toEqual([first.id]);
      expect(await store.ledger.totalCost(projectId)).toBe(1.75);
      expect(await store.ledger.totalCost(newId())).toBe(0);
    });
  });
}

export function auditCases(getStore: GetStore): void {
  describe('audit', () => {
    test('append links each event to the previous one; list filters', async () => {
      const store = getStore();
      const subjectId = uniqueKey('subject');
      const first = await store.audit.append({
        actor: 'to-1',
        action: 'checkpoint.decide',
        subjectType: 'checkpoint',
        subjectId,
        data: { outcome: 'approved', nested: { list: [1, 2.5, 'x'], flag: true, nothing: null } },
      });
      const second = await store.audit.append({
        actor: 'system',
        action: 'task.claim',
        subjectType: 'task',
        subjectId,
      });
      expect(second.seq).toBe(first.seq + 1);
      expect(second.prevHash).toBe(first.hash);
      expect(second.data).toEqual({});
      expect(first.at).toBeInstanceOf(Date);
      expect(await store.audit.list({ subjectId })).toEqual([first, second]);
      expect(await store.audit.list({ subjectId, afterSeq: first.seq })).toEqual([second]);
      expect(await store.audit.list({ subjectId, limit: 1 })).toEqual([first]);
      expect((await store.audit.list({ afterSeq: first.seq - 1, limit: 2 })).map((e) => e.seq)).toEqual([
        first.seq,
        second.seq,
      ]);
      expect(await store.audit.list({ subjectId: uniqueKey('none') })).toEqual([]);
      expect((await store.audit.verify()).ok).toBe(true);
    });

    test('50 parallel appends get contiguous seqs and the chain verifies', async () => {
      const store = getStore();
      const subjectId = uniqueKey('burst');
      const before = await store.audit.verify();
      expect(before.ok).toBe(true);
      const events = await times(50, (i) =>
        store.audit.append({ actor: `a${i}`, action: 'burst', subjectType: 'test', subjectId, data: { i } }),
      );
      const seqs = events.map((e) => e.seq).sort((a, b) => a - b);
      const start = seqs[0]!;
      expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => start + i));
      const listed = await store.audit.list({ subjectId });
      expect(listed.map((e) => e.seq)).toEqual(seqs);
      const after = await store.audit.verify();
      expect(after).toEqual({ ok: true, count: after.count });
      expect(after.count).toBeGreaterThanOrEqual(before.count + 50);
    });
  });
}
