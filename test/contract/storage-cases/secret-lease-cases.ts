import { describe, expect, test } from '@jest/globals';
import { newId } from '../../../common/ids.js';
import type { NewSecretLease } from '../../../ports/store.js';
import { times, type GetStore } from './support.js';

function leaseInput(overrides: Partial<NewSecretLease> = {}): NewSecretLease {
  return {
    projectId: newId(),
    taskId: newId(),
    tool: 'http_request',
    credential: 'github_token',
    secretName: 'olympus-demo-github_token',
    secretVersion: '1',
    checkpointId: newId(),
    grantedBy: newId(),
    expiresAt: new Date(Date.now() + 60_000),
    ...overrides,
  };
}

export function secretLeaseCases(getStore: GetStore): void {
  describe('secret leases', () => {
    test('issue, get, getByCheckpoint, listByTask; names and versions only', async () => {
      const store = getStore();
      const input = leaseInput();
      const lease = await store.secretLeases.issue(input);
      expect(lease).toMatchObject({
        projectId: input.projectId,
        taskId: input.taskId,
        tool: 'http_request',
        credential: 'github_token',
        secretName: input.secretName,
        secretVersion: '1',
        checkpointId: input.checkpointId,
        revokedAt: null,
      });
      expect(lease.expiresAt.getTime()).toBe(input.expiresAt.getTime());
      expect(lease.createdAt).toBeInstanceOf(Date);
      expect(await store.secretLeases.get(lease.id)).toEqual(lease);
      expect(await store.secretLeases.getByCheckpoint(input.checkpointId)).toEqual(lease);
      const second = await store.secretLeases.issue(leaseInput({ taskId: input.taskId }));
      expect((await store.secretLeases.listByTask(input.taskId)).map((l) => l.id)).toEqual([
        lease.id,
        second.id,
      ]);
      expect(await store.secretLeases.get(newId())).toBeNull();
      expect(await store.secretLeases.getByCheckpoint(newId())).toBeNull();
    });

    test('one lease per checkpoint and task: 10 parallel issues return the same lease', async () => {
      const store = getStore();
      const checkpointId = newId();
      const taskId = newId();
      const leases = await times(10, () => store.secretLeases.issue(leaseInput({ checkpointId, taskId })));
      expect(new Set(leases.map((lease) => lease.id)).size).toBe(1);
    });

    test('every task waiting on one checkpoint gets its own lease; listByCheckpoint lists them in order', async () => {
      const store = getStore();
      const checkpointId = newId();
      const tasks = [newId(), newId(), newId()];
      const leases = [];
      for (const taskId of tasks)
        leases.push(await store.secretLeases.issue(leaseInput({ checkpointId, taskId })));
      expect(new Set(leases.map((lease) => lease.id)).size).toBe(3);
      expect((await store.secretLeases.listByCheckpoint(checkpointId)).map((l) => l.taskId)).toEqual(tasks);
      expect((await store.secretLeases.getByCheckpoint(checkpointId, tasks[2]))?.id).toBe(leases[2]!.id);
      expect((await store.secretLeases.getByCheckpoint(checkpointId))?.id).toBe(leases[0]!.id);
      expect(await store.secretLeases.getByCheckpoint(checkpointId, newId())).toBeNull();
      expect(await store.secretLeases.listByCheckpoint(newId())).toEqual([]);
    });

    test('revoke ends a lease once and keeps the first revocation time', async () => {
      const store = getStore();
      const lease = await store.secretLeases.issue(leaseInput());
      const revoked = await store.secretLeases.revoke(lease.id);
      expect(revoked?.revokedAt).toBeInstanceOf(Date);
      const again = await store.secretLeases.revoke(lease.id);
      expect(again?.revokedAt?.getTime()).toBe(revoked!.revokedAt!.getTime());
      expect(await store.secretLeases.revoke(newId())).toBeNull();
    });
  });
}
