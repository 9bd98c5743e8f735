import { describe, expect, test } from '@jest/globals';
import { newId } from '../../../common/ids.js';
import type { IdentityHandle } from '../../../ports/store.js';
import { expectCode, times, uniqueKey, type GetStore } from './support.js';

function handle(surface: IdentityHandle['surface']): IdentityHandle {
  return { surface, externalId: uniqueKey(surface === 'email' ? 'mail' : 'U').toLowerCase() };
}

const inAnHour = () => new Date(Date.now() + 3_600_000);

export function identityLinkCases(getStore: GetStore): void {
  describe('identity links', () => {
    test('a code is used by its hash once; a wrong hash counts an attempt', async () => {
      const store = getStore();
      const alice = await store.identities.create({ displayName: 'Alice', handles: [handle('discord')] });
      const target = handle('email');
      const code = await store.identityLinks.createCode({
        identityId: alice.id,
        handle: target,
        codeHash: 'hash-1',
        expiresAt: inAnHour(),
      });
      expect(code).toMatchObject({ identityId: alice.id, handle: target, attempts: 0, usedAt: null });
      const wrong = await store.identityLinks.attempt(alice.id, 'nope', 5);
      expect(wrong?.matched).toBe(false);
      expect(wrong?.code.attempts).toBe(1);
      const right = await store.identityLinks.attempt(alice.id, 'hash-1', 5);
      expect(right?.matched).toBe(true);
      expect(right?.code.usedAt).toBeInstanceOf(Date);
      expect(await store.identityLinks.attempt(alice.id, 'hash-1', 5)).toBeNull();
      expect((await store.identityLinks.getCode(alice.id))?.attempts).toBe(2);
    });

    test('expired codes and codes out of attempts accept nothing; a new code replaces the old', async () => {
      const store = getStore();
      const bo = await store.identities.create({ displayName: 'Bo' });
      await store.identityLinks.createCode({
        identityId: bo.id,
        handle: handle('email'),
        codeHash: 'old',
        expiresAt: new Date(Date.now() - 1000),
      });
      expect(await store.identityLinks.attempt(bo.id, 'old', 5)).toBeNull();
      await store.identityLinks.createCode({
        identityId: bo.id,
        handle: handle('email'),
        codeHash: 'new',
        expiresAt: inAnHour(),
      });
      for (let i = 0; i < 5; i++)
        expect((await store.identityLinks.attempt(bo.id, 'guess', 5))?.matched).toBe(false);
      expect(await store.identityLinks.attempt(bo.id, 'new', 5)).toBeNull();
      expect(await store.identityLinks.attempt(newId(), 'new', 5)).toBeNull();
      await expectCode(
        store.identityLinks.createCode({
          identityId: newId(),
          handle: handle('email'),
          codeHash: 'x',
          expiresAt: inAnHour(),
        }),
        'NOT_FOUND',
      );
    });

    test('a time zone is kept on the identity and can be cleared', async () => {
      const store = getStore();
      const dee = await store.identities.create({ displayName: 'Dee', handles: [handle('slack')] });
      expect(dee.timezone).toBeUndefined();
      expect((await store.identities.setTimezone(dee.id, 'Europe/Berlin'))?.timezone).toBe('Europe/Berlin');
      expect((await store.identities.get(dee.id))?.timezone).toBe('Europe/Berlin');
      expect((await store.identities.findByHandle(dee.handles[0]!))?.timezone).toBe('Europe/Berlin');
      const cleared = await store.identities.setTimezone(dee.id, null);
      expect(cleared).not.toBeNull();
      expect(cleared?.timezone).toBeUndefined();
      expect(await store.identities.setTimezone(newId(), 'UTC')).toBeNull();
    });

    test('concurrent attempts with the right hash: exactly one uses the code', async () => {
      const store = getStore();
      const cy = await store.identities.create({ displayName: 'Cy' });
      await store.identityLinks.createCode({
        identityId: cy.id,
        handle: handle('email'),
        codeHash: 'ok',
        expiresAt: inAnHour(),
      });
      const results = await times(10, () => store.identityLinks.attempt(cy.id, 'ok', 5));
      expect(results.filter((result) => result?.matched)).toHaveLength(1);
    });

    test('moving a handle takes it from its owner; an owner left with none is merged', async () => {
      const store = getStore();
      const email = handle('email');
      const discord = handle('discord');
      const mailOnly = await store.identities.create({ displayName: 'Mail Alice', handles: [email] });
      const conversation = await store.conversations.ensure('email', uniqueKey('<root'), mailOnly.id);
      const { project } = await store.projects.create({
        key: uniqueKey('p'),
        title: 'P',
        ownerId: mailOnly.id,
        brief: { title: 'P' },
        createdBy: mailOnly.id,
      });
      const alice = await store.identities.create({ displayName: 'Alice', handles: [discord] });
      const moved = await store.identityLinks.moveHandle(alice.id, email);
      expect(moved).toMatchObject({ previousOwner: mailOnly.id, merged: true });
      expect(moved?.identity.handles).toEqual(expect.arrayContaining([email, discord]));
      expect((await store.identities.findByHandle(email))?.id).toBe(alice.id);
      expect((await store.identities.get(mailOnly.id))?.handles).toEqual([]);
      expect((await store.conversations.get(conversation.id))?.identityId).toBe(alice.id);
      expect((await store.projects.get(project.id))?.ownerId).toBe(alice.id);

      // An owner keeping another handle is not merged; moving a handle one holds changes nothing.
      const slack = handle('slack');
      const other = handle('email');
      const two = await store.identities.create({ displayName: 'Two', handles: [slack, other] });
      expect(await store.identityLinks.moveHandle(alice.id, other)).toMatchObject({
        previousOwner: two.id,
        merged: false,
      });
      expect((await store.identities.get(two.id))?.handles).toEqual([slack]);
      expect(await store.identityLinks.moveHandle(alice.id, other)).toMatchObject({
        previousOwner: null,
        merged: false,
      });
      const fresh = handle('slack');
      expect((await store.identityLinks.moveHandle(alice.id, fresh))?.identity.handles).toContainEqual(fresh);
      expect(await store.identityLinks.moveHandle(newId(), handle('slack'))).toBeNull();
    });
  });
}
