import { describe, expect, test } from '@jest/globals';
import { newId } from '../../../common/ids.js';
import type { NewCheckpoint } from '../../../ports/store.js';
import { newProject, times, type GetStore } from './support.js';

function request(projectId: string, extra: Partial<NewCheckpoint> = {}): NewCheckpoint {
  return {
    projectId,
    kind: 'deploy',
    requestedBy: 'hephaestus',
    request: {
      title: 'Deploy v1',
      summary: 'to production',
      details: { env: 'prod', replicas: 2 },
      actionHash: 'abc',
    },
    ...extra,
  };
}

export function checkpointCases(getStore: GetStore): void {
  describe('checkpoints', () => {
    test('open stores a pending checkpoint', async () => {
      const store = getStore();
      const project = await newProject(store);
      const expiresAt = new Date(Date.now() + 3_600_000);
      const taskId = newId();
      const opened = await store.checkpoints.open(request(project.id, { taskId, expiresAt }));
      expect(opened).toMatchObject({
        projectId: project.id,
        taskId,
        kind: 'deploy',
        requestedBy: 'hephaestus',
        status: 'pending',
        decision: null,
        cards: [],
        waiters: [],
        remindersSent: 0,
        expiresAt,
        decidedAt: null,
      });
      expect(opened.request.details).toEqual({ env: 'prod', replicas: 2 });
      expect(await store.checkpoints.get(opened.id)).toEqual(opened);
    });

    test('waiters: given at open, added once per task (10 parallel adds), kept through the decision', async () => {
      const store = getStore();
      const project = await newProject(store);
      const first = { taskId: newId(), taskKey: 'a', role: 'apollo', title: 'Task A' };
      const opened = await store.checkpoints.open(
        request(project.id, { taskId: first.taskId, waiters: [first] }),
      );
      expect(opened.waiters).toEqual([{ ...first, at: expect.any(Date) }]);
      const second = { taskId: newId(), taskKey: 'b', role: 'athena', title: 'Task B' };
      await times(10, () => store.checkpoints.addWaiter(opened.id, second));
      await store.checkpoints.addWaiter(opened.id, first);
      await store.checkpoints.decide(opened.id, { outcome: 'approved', by: 'to' });
      const third = { taskId: newId(), taskKey: 'c', role: 'aphrodite', title: 'Task C' };
      const after = await store.checkpoints.addWaiter(opened.id, third);
      expect(after?.waiters.map((waiter) => waiter.taskKey)).toEqual(['a', 'b', 'c']);
      expect((await store.checkpoints.get(opened.id))?.waiters).toEqual(after?.waiters);
      expect(await store.checkpoints.addWaiter(newId(), third)).toBeNull();
    });

    test('unknown ids give null', async () => {
      const store = getStore();
      const id = newId();
      expect(await store.checkpoints.get(id)).toBeNull();
      expect(await store.checkpoints.decide(id, { outcome: 'approved', by: 'to' })).toEqual({
        won: false,
        checkpoint: null,
      });
      expect(
        await store.checkpoints.addCard(id, { surface: 'slack', channel: 'C', messageId: '1' }),
      ).toBeNull();
      expect(await store.checkpoints.recordReminder(id)).toBeNull();
    });

    test('the first decision wins; later ones see it', async () => {
      const store = getStore();
      const project = await newProject(store);
      const opened = await store.checkpoints.open(request(project.id));
      const first = await store.checkpoints.decide(opened.id, {
        outcome: 'modified',
        by: 'to-1',
        changes: 'one replica',
      });
      expect(first.won).toBe(true);
      expect(first.checkpoint).toMatchObject({
        status: 'modified',
        decision: { outcome: 'modified', by: 'to-1', changes: 'one replica' },
      });
      expect(first.checkpoint?.decision?.at).toBeInstanceOf(Date);
      expect(first.checkpoint?.decidedAt).toEqual(first.checkpoint?.decision?.at);
      const second = await store.checkpoints.decide(opened.id, {
        outcome: 'rejected',
        by: 'to-2',
        reason: 'no',
      });
      expect(second).toEqual({ won: false, checkpoint: first.checkpoint });
    });

    test('20 parallel decisions: exactly one wins and its decision is stored', async () => {
      const store = getStore();
      const project = await newProject(store);
      const opened = await store.checkpoints.open(request(project.id));
      const outcomes = ['approved', 'rejected', 'modified'] as const;
      const results = await times(20, (i) =>
        store.checkpoints.decide(opened.id, { outcome: outcomes[i % 3]!, by: `to-${i}`, reason: `r${i}` }),
      );
      const winners = results.filter((r) => r.won);
      expect(winners).toHaveLength(1);
      const stored = await store.checkpoints.get(opened.id);
      expect(stored?.decision).toEqual(winners[0]!.checkpoint.decision);
      expect(stored?.status).toBe(winners[0]!.checkpoint.decision!.outcome);
      for (const loser of results.filter((r) => !r.won))
        expect(loser.checkpoint?.decision?.by).toBe(stored?.decision?.by);
    });

    test('a won decision stores its audit event with it; lost ones append none; the chain verifies', async () => {
      const store = getStore();
      const project = await newProject(store);
      const opened = await store.checkpoints.open(request(project.id));
      const audit = (decided: { id: string; status: string }) => ({
        actor: 'to',
        action: 'checkpoint.decided',
        subjectType: 'checkpoint',
        subjectId: opened.id,
        data: { outcome: decided.status },
      });
      const results = await times(8, (i) =>
        store.checkpoints.decide(opened.id, { outcome: 'approved', by: `to-${i}` }, { audit }),
      );
      expect(results.filter((r) => r.won)).toHaveLength(1);
      const events = await store.audit.list({ subjectId: opened.id });
      expect(events.map((e) => [e.action, e.data.outcome])).toEqual([['checkpoint.decided', 'approved']]);
      expect((await store.audit.verify()).ok).toBe(true);
    });

    test('decide with an expected action hash only wins while the request carries it', async () => {
      const store = getStore();
      const project = await newProject(store);
      const opened = await store.checkpoints.open(request(project.id));
      const revised = await store.checkpoints.revise(opened.id, {
        ...opened.request,
        details: { env: 'prod', replicas: 20 },
        actionHash: 'def',
      });
      expect(revised?.request).toMatchObject({ details: { replicas: 20 }, actionHash: 'def' });
      expect(revised?.status).toBe('pending');
      const stale = await store.checkpoints.decide(
        opened.id,
        { outcome: 'approved', by: 'to-1' },
        { expectedActionHash: 'abc' },
      );
      expect(stale).toEqual({ won: false, checkpoint: revised });
      const fresh = await store.checkpoints.decide(
        opened.id,
        { outcome: 'approved', by: 'to-1' },
        { expectedActionHash: 'def' },
      );
      expect(fresh.won).toBe(true);
      expect(await store.checkpoints.revise(opened.id, opened.request)).toBeNull();
      expect(await store.checkpoints.revise(newId(), opened.request)).toBeNull();
    });

    test('addCard adds each card once; recordReminder counts', async () => {
      const store = getStore();
      const project = await newProject(store);
      const opened = await store.checkpoints.open(request(project.id));
      const card = { surface: 'slack' as const, channel: 'C-ops', messageId: '1700.5' };
      await store.checkpoints.addCard(opened.id, card);
      const updated = await store.checkpoints.addCard(opened.id, { ...card });
      expect(updated?.cards).toEqual([card]);
      expect(await store.checkpoints.recordReminder(opened.id)).toBe(1);
      expect(await store.checkpoints.recordReminder(opened.id)).toBe(2);
      expect((await store.checkpoints.get(opened.id))?.remindersSent).toBe(2);
    });

    test('list filters by project and status', async () => {
      const store = getStore();
      const project = await newProject(store);
      const a = await store.checkpoints.open(request(project.id));
      const b = await store.checkpoints.open(request(project.id, { kind: 'spend' }));
      await store.checkpoints.open(request(newId()));
      await store.checkpoints.decide(b.id, { outcome: 'approved', by: 'to' });
      expect((await store.checkpoints.list({ projectId: project.id })).map((c) => c.id)).toEqual([
        a.id,
        b.id,
      ]);
      expect(
        (await store.checkpoints.list({ projectId: project.id, status: ['pending'] })).map((c) => c.id),
      ).toEqual([a.id]);
      expect((await store.checkpoints.list({ status: ['approved'] })).map((c) => c.id)).toContain(b.id);
    });
  });
}
