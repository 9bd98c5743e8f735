import { describe, expect, test } from '@jest/globals';
import { newId } from '../../../common/ids.js';
import type { IdentityHandle } from '../../../ports/store.js';
import { expectCode, times, uniqueKey, type GetStore } from './support.js';

function handle(surface: IdentityHandle['surface'] = 'slack'): IdentityHandle {
  return { surface, externalId: uniqueKey('U') };
}

export function identityCases(getStore: GetStore): void {
  describe('identities', () => {
    test('create, get, findByHandle and list', async () => {
      const store = getStore();
      const slack = handle('slack');
      const email = handle('email');
      const created = await store.identities.create({
        displayName: 'Ada',
        handles: [slack, email],
        localOnly: true,
      });
      expect(created).toMatchObject({
        displayName: 'Ada',
        role: 'client',
        localOnly: true,
        handles: [slack, email],
      });
      expect(created.createdAt).toBeInstanceOf(Date);
      expect(await store.identities.get(created.id)).toEqual(created);
      expect(await store.identities.findByHandle(email)).toEqual(created);
      expect((await store.identities.list()).map((i) => i.id)).toContain(created.id);
      const plain = await store.identities.create({ displayName: 'Bo', role: 'to' });
      expect(plain).toMatchObject({ role: 'to', localOnly: false, handles: [] });
    });

    test('unknown ids and handles give null', async () => {
      const store = getStore();
      expect(await store.identities.get(newId())).toBeNull();
      expect(await store.identities.findByHandle(handle())).toBeNull();
      expect(await store.identities.setRole(newId(), 'admin')).toBeNull();
      expect(await store.identities.addHandle(newId(), handle())).toBeNull();
    });

    test('returned objects are copies', async () => {
      const store = getStore();
      const created = await store.identities.create({ displayName: 'Cy', handles: [handle()] });
      created.handles.push(handle());
      created.displayName = 'changed';
      const again = await store.identities.get(created.id);
      expect(again?.handles).toHaveLength(1);
      expect(again?.displayName).toBe('Cy');
    });

    test('addHandle links a handle once and refuses one owned by another identity', async () => {
      const store = getStore();
      const first = await store.identities.create({ displayName: 'Di' });
      const second = await store.identities.create({ displayName: 'Ed' });
      const h = handle('discord');
      expect((await store.identities.addHandle(first.id, h))?.handles).toEqual([h]);
      expect((await store.identities.addHandle(first.id, h))?.handles).toEqual([h]);
      await expectCode(store.identities.addHandle(second.id, h), 'STORE_CONFLICT');
      expect((await store.identities.findByHandle(h))?.id).toBe(first.id);
    });

    test('create with a taken handle is STORE_CONFLICT and stores nothing', async () => {
      const store = getStore();
      const h = handle();
      await store.identities.create({ displayName: 'Fay', handles: [h] });
      const name = uniqueKey('ghost');
      await expectCode(
        store.identities.create({ displayName: name, handles: [handle(), h] }),
        'STORE_CONFLICT',
      );
      expect((await store.identities.list()).some((i) => i.displayName === name)).toBe(false);
    });

    test('setRole changes the role', async () => {
      const store = getStore();
      const h = handle();
      const created = await store.identities.create({ displayName: 'Gus', handles: [h] });
      const updated = await store.identities.setRole(created.id, 'admin');
      expect(updated).toMatchObject({ id: created.id, role: 'admin', handles: [h] });
      expect((await store.identities.get(created.id))?.role).toBe('admin');
    });

    test('ensureByHandle returns the owner or creates one with the defaults', async () => {
      const store = getStore();
      const h = handle('email');
      const created = await store.identities.ensureByHandle(h, {
        displayName: 'Hal',
        role: 'to',
        localOnly: true,
      });
      expect(created).toMatchObject({ displayName: 'Hal', role: 'to', localOnly: true, handles: [h] });
      const again = await store.identities.ensureByHandle(h, { displayName: 'Other' });
      expect(again.id).toBe(created.id);
      expect(again.displayName).toBe('Hal');
    });

    test('20 parallel ensureByHandle for one new handle make exactly one identity', async () => {
      const store = getStore();
      const h = handle('slack');
      const name = uniqueKey('racer');
      const results = await times(20, () => store.identities.ensureByHandle(h, { displayName: name }));
      expect(new Set(results.map((identity) => identity.id)).size).toBe(1);
      expect((await store.identities.findByHandle(h))?.id).toBe(results[0]!.id);
      expect((await store.identities.list()).filter((i) => i.displayName === name)).toHaveLength(1);
    });
  });
}
