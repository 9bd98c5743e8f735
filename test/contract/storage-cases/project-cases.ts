import { describe, expect, test } from '@jest/globals';
import { newId } from '../../../common/ids.js';
import { expectCode, newProject, times, uniqueKey, type GetStore } from './support.js';

export function projectCases(getStore: GetStore): void {
  describe('projects', () => {
    test('create stores the project with brief v1', async () => {
      const store = getStore();
      const key = uniqueKey('proj');
      const ownerId = newId();
      const { project, brief } = await store.projects.create({
        key,
        title: 'Shop',
        ownerId,
        budget: { amount: 500, currency: 'EUR' },
        localOnly: true,
        brief: { goal: 'a shop', pages: 3 },
        createdBy: 'hermes',
      });
      expect(project).toMatchObject({
        key,
        title: 'Shop',
        ownerId,
        status: 'planning',
        budget: { amount: 500, currency: 'EUR' },
        spent: 0,
        localOnly: true,
        threads: [],
        briefVersion: 1,
      });
      expect(project.createdAt).toBeInstanceOf(Date);
      expect(brief).toMatchObject({
        projectId: project.id,
        version: 1,
        content: { goal: 'a shop', pages: 3 },
        createdBy: 'hermes',
      });
      expect(await store.projects.get(project.id)).toEqual(project);
      expect(await store.projects.getByKey(key)).toEqual(project);
      expect(await store.projects.getBrief(project.id)).toEqual(brief);
    });

    test('a taken key is STORE_CONFLICT', async () => {
      const store = getStore();
      const project = await newProject(store);
      await expectCode(
        store.projects.create({
          key: project.key,
          title: 'again',
          ownerId: newId(),
          brief: {},
          createdBy: 'x',
        }),
        'STORE_CONFLICT',
      );
    });

    test('unknown ids give null', async () => {
      const store = getStore();
      const id = newId();
      expect(await store.projects.get(id)).toBeNull();
      expect(await store.projects.getByKey(uniqueKey('none'))).toBeNull();
      expect(await store.projects.getBrief(id)).toBeNull();
      expect(await store.projects.listBriefs(id)).toEqual([]);
      expect(await store.projects.addBriefVersion(id, 1, {}, 'x')).toBeNull();
      expect(await store.projects.setStatus(id, ['planning'], 'active')).toBeNull();
      expect(
        await store.projects.addThread(id, { surface: 'slack', channel: 'C', threadKey: 't' }),
      ).toBeNull();
      expect(await store.projects.addSpend(id, 1)).toBeNull();
      expect(await store.projects.setBudget(id, null)).toBeNull();
    });

    test('list filters by owner and status', async () => {
      const store = getStore();
      const ownerId = newId();
      const a = await newProject(store, { ownerId });
      const b = await newProject(store, { ownerId });
      await newProject(store);
      await store.projects.setStatus(b.id, ['planning'], 'active');
      expect((await store.projects.list({ ownerId })).map((p) => p.id)).toEqual([a.id, b.id]);
      expect(
        (await store.projects.list({ ownerId, status: ['active', 'on_hold'] })).map((p) => p.id),
      ).toEqual([b.id]);
      expect((await store.projects.list()).map((p) => p.id)).toEqual(expect.arrayContaining([a.id, b.id]));
    });

    test('addBriefVersion is a compare-and-set on the latest version', async () => {
      const store = getStore();
      const project = await newProject(store);
      const v2 = await store.projects.addBriefVersion(project.id, 1, { goal: 'v2' }, 'to-1');
      expect(v2).toMatchObject({
        projectId: project.id,
        version: 2,
        content: { goal: 'v2' },
        createdBy: 'to-1',
      });
      expect(await store.projects.addBriefVersion(project.id, 1, { goal: 'late' }, 'to-2')).toBeNull();
      expect(await store.projects.getBrief(project.id)).toEqual(v2);
      expect((await store.projects.getBrief(project.id, 1))?.content).toEqual({ goal: 'test' });
      expect(await store.projects.getBrief(project.id, 9)).toBeNull();
      expect((await store.projects.listBriefs(project.id)).map((b) => b.version)).toEqual([1, 2]);
      expect((await store.projects.get(project.id))?.briefVersion).toBe(2);
    });

    test('10 parallel addBriefVersion with the same expected version: exactly one wins', async () => {
      const store = getStore();
      const project = await newProject(store);
      const results = await times(10, (i) =>
        store.projects.addBriefVersion(project.id, 1, { writer: i }, `to-${i}`),
      );
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      expect(await store.projects.listBriefs(project.id)).toHaveLength(2);
      expect((await store.projects.get(project.id))?.briefVersion).toBe(2);
    });

    test('setStatus moves only from the given statuses', async () => {
      const store = getStore();
      const project = await newProject(store);
      expect(await store.projects.setStatus(project.id, ['active'], 'completed')).toBeNull();
      const moved = await store.projects.setStatus(project.id, ['planning', 'on_hold'], 'awaiting_approval');
      expect(moved?.status).toBe('awaiting_approval');
      expect((await store.projects.get(project.id))?.status).toBe('awaiting_approval');
    });

    test('addThread adds each surface+channel+threadKey once', async () => {
      const store = getStore();
      const project = await newProject(store);
      const thread = { surface: 'slack' as const, channel: 'C1', threadKey: '1700.1' };
      await store.projects.addThread(project.id, thread);
      await store.projects.addThread(project.id, { ...thread });
      const other = { ...thread, threadKey: '1700.2' };
      const updated = await store.projects.addThread(project.id, other);
      expect(updated?.threads).toEqual([thread, other]);
    });

    test('20 parallel addSpend sum exactly', async () => {
      const store = getStore();
      const project = await newProject(store);
      await times(20, () => store.projects.addSpend(project.id, 1.25));
      expect((await store.projects.get(project.id))?.spent).toBe(25);
    });

    test('setBudget sets and clears the budget', async () => {
      const store = getStore();
      const project = await newProject(store);
      expect((await store.projects.setBudget(project.id, { amount: 99.5, currency: 'USD' }))?.budget).toEqual(
        {
          amount: 99.5,
          currency: 'USD',
        },
      );
      expect((await store.projects.setBudget(project.id, null))?.budget).toBeNull();
    });

    test('returned objects are copies', async () => {
      const store = getStore();
      const project = await newProject(store);
      project.threads.push({ surface: 'slack', channel: 'C', threadKey: 't' });
      const brief = await store.projects.getBrief(project.id);
      brief!.content.goal = 'changed';
      expect((await store.projects.get(project.id))?.threads).toEqual([]);
      expect((await store.projects.getBrief(project.id))?.content).toEqual({ goal: 'test' });
    });
  });
}
