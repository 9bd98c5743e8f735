import { describe, expect, test } from '@jest/globals';
import { newId } from '../../../common/ids.js';
import type { NewTask, Store, Task } from '../../../ports/store.js';
import { expectCode, newProject, sleep, times, type GetStore } from './support.js';

function plan(...keys: [string, string[]?][]): NewTask[] {
  return keys.map(([key, dependsOn]) => ({
    key,
    role: 'apollo',
    title: `Task ${key}`,
    spec: `Do ${key}`,
    acceptance: [`${key} works`],
    dependsOn,
  }));
}

async function readyTask(store: Store): Promise<Task> {
  const project = await newProject(store);
  const [task] = await store.tasks.createMany(project.id, [{ ...plan(['only'])[0]!, status: 'ready' }]);
  return task!;
}

export function taskCases(getStore: GetStore): void {
  describe('tasks', () => {
    test('createMany resolves dependsOn keys to the new ids', async () => {
      const store = getStore();
      const project = await newProject(store);
      const [api, ui, qa] = await store.tasks.createMany(
        project.id,
        plan(['api'], ['ui', ['api']], ['qa', ['api', 'ui']]),
      );
      expect(api).toMatchObject({
        projectId: project.id,
        key: 'api',
        role: 'apollo',
        title: 'Task api',
        spec: 'Do api',
        acceptance: ['api works'],
        dependsOn: [],
        status: 'pending',
        attempts: 0,
        leaseHolder: null,
        leaseExpiresAt: null,
        artifacts: [],
        cost: 0,
        lastError: null,
      });
      expect(ui?.dependsOn).toEqual([api!.id]);
      expect(qa?.dependsOn).toEqual([api!.id, ui!.id]);
      expect(await store.tasks.get(ui!.id)).toEqual(ui);
      expect((await store.tasks.listByProject(project.id)).map((t) => t.key)).toEqual(['api', 'ui', 'qa']);
      const [deploy] = await store.tasks.createMany(project.id, plan(['deploy', [qa!.id]]));
      expect(deploy?.dependsOn).toEqual([qa!.id]);
    });

    test('an unknown dependsOn is VALIDATION and creates nothing', async () => {
      const store = getStore();
      const project = await newProject(store);
      await expectCode(store.tasks.createMany(project.id, plan(['a'], ['b', ['nope']])), 'VALIDATION');
      expect(await store.tasks.listByProject(project.id)).toEqual([]);
    });

    test('unknown ids give null or false', async () => {
      const store = getStore();
      const id = newId();
      expect(await store.tasks.get(id)).toBeNull();
      expect(await store.tasks.listByProject(id)).toEqual([]);
      expect(await store.tasks.transition(id, ['pending'], 'ready')).toBeNull();
      expect(await store.tasks.claim(id, 'w', 1000)).toBeNull();
      expect(await store.tasks.heartbeat(id, 1, 1000)).toBe(false);
      expect(await store.tasks.finish(id, 1, { status: 'done' })).toBeNull();
    });

    test('transition is a compare-and-set on status', async () => {
      const store = getStore();
      const project = await newProject(store);
      const [task] = await store.tasks.createMany(project.id, plan(['t']));
      expect(await store.tasks.transition(task!.id, ['ready'], 'running')).toBeNull();
      expect((await store.tasks.transition(task!.id, ['pending'], 'ready'))?.status).toBe('ready');
      expect((await store.tasks.transition(task!.id, ['pending', 'ready'], 'cancelled'))?.status).toBe(
        'cancelled',
      );
    });

    test('claim takes a ready task once, with a lease and a fence', async () => {
      const store = getStore();
      const task = await readyTask(store);
      const claim = await store.tasks.claim(task.id, 'worker-1', 60_000);
      expect(claim?.task).toMatchObject({ status: 'running', attempts: 1, leaseHolder: 'worker-1' });
      expect(claim?.task.leaseExpiresAt).toBeInstanceOf(Date);
      expect(claim?.fence).toBe(claim?.task.fence);
      expect(await store.tasks.claim(task.id, 'worker-2', 60_000)).toBeNull();
      const project = await newProject(store);
      const [pending] = await store.tasks.createMany(project.id, plan(['p']));
      expect(await store.tasks.claim(pending!.id, 'worker-1', 60_000)).toBeNull();
    });

    test('20 parallel claims: exactly one wins', async () => {
      const store = getStore();
      const task = await readyTask(store);
      const claims = await times(20, (i) => store.tasks.claim(task.id, `worker-${i}`, 60_000));
      const winners = claims.filter((c) => c !== null);
      expect(winners).toHaveLength(1);
      expect((await store.tasks.get(task.id))?.leaseHolder).toBe(winners[0]!.task.leaseHolder);
    });

    test('after a lease expires and another attempt claims, the stale fence can neither heartbeat nor finish', async () => {
      const store = getStore();
      const task = await readyTask(store);
      const first = await store.tasks.claim(task.id, 'slow', 50);
      expect(first).not.toBeNull();
      expect(await store.tasks.heartbeat(task.id, first!.fence, 50)).toBe(true);
      await sleep(150);
      const second = await store.tasks.claim(task.id, 'fast', 60_000);
      expect(second?.fence).toBeGreaterThan(first!.fence);
      expect(second?.task.attempts).toBe(2);
      expect(await store.tasks.heartbeat(task.id, first!.fence, 60_000)).toBe(false);
      expect(await store.tasks.finish(task.id, first!.fence, { status: 'done' })).toBeNull();
      expect(await store.tasks.heartbeat(task.id, second!.fence, 60_000)).toBe(true);
      const done = await store.tasks.finish(task.id, second!.fence, {
        status: 'done',
        artifacts: [{ kind: 'pr', ref: 'https://example.test/pr/1', note: 'api' }],
        cost: 0.5,
      });
      expect(done).toMatchObject({
        status: 'done',
        leaseHolder: null,
        leaseExpiresAt: null,
        artifacts: [{ kind: 'pr', ref: 'https://example.test/pr/1', note: 'api' }],
        cost: 0.5,
      });
      expect(await store.tasks.finish(task.id, second!.fence, { status: 'failed' })).toBeNull();
    });

    test('finish with ready hands the task back for another attempt', async () => {
      const store = getStore();
      const task = await readyTask(store);
      const first = await store.tasks.claim(task.id, 'w1', 60_000);
      const released = await store.tasks.finish(task.id, first!.fence, {
        status: 'ready',
        error: 'rate limited',
      });
      expect(released).toMatchObject({ status: 'ready', lastError: 'rate limited', leaseHolder: null });
      const second = await store.tasks.claim(task.id, 'w2', 60_000);
      expect(second?.task.attempts).toBe(2);
      const waiting = await store.tasks.finish(task.id, second!.fence, { status: 'waiting_checkpoint' });
      expect(waiting?.status).toBe('waiting_checkpoint');
      expect(await store.tasks.claim(task.id, 'w3', 60_000)).toBeNull();
    });
  });
}
