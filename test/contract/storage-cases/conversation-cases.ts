import { describe, expect, test } from '@jest/globals';
import { newId } from '../../../common/ids.js';
import type { ConversationMessage } from '../../../ports/store.js';
import { times, uniqueKey, type GetStore } from './support.js';

function message(text: string, from: ConversationMessage['from'] = 'client'): ConversationMessage {
  return { at: new Date(), from, text };
}

export function conversationCases(getStore: GetStore): void {
  describe('conversations', () => {
    test('ensure creates once per surface thread', async () => {
      const store = getStore();
      const identityId = newId();
      const threadKey = uniqueKey('thread');
      const created = await store.conversations.ensure('slack', threadKey, identityId);
      expect(created).toMatchObject({
        surface: 'slack',
        threadKey,
        identityId,
        state: 'collecting',
        messages: [],
        draft: {},
        projectId: null,
      });
      expect(created.createdAt).toBeInstanceOf(Date);
      expect((await store.conversations.ensure('slack', threadKey, newId())).id).toBe(created.id);
      expect((await store.conversations.ensure('discord', threadKey, identityId)).id).not.toBe(created.id);
      expect(await store.conversations.get(created.id)).toEqual(created);
      expect(await store.conversations.findByThread('slack', threadKey)).toEqual(created);
    });

    test('10 parallel ensure of one thread make one conversation', async () => {
      const store = getStore();
      const threadKey = uniqueKey('thread');
      const results = await times(10, () => store.conversations.ensure('email', threadKey, newId()));
      expect(new Set(results.map((c) => c.id)).size).toBe(1);
    });

    test('unknown ids give null', async () => {
      const store = getStore();
      expect(await store.conversations.get(newId())).toBeNull();
      expect(await store.conversations.findByThread('slack', uniqueKey('none'))).toBeNull();
      expect(await store.conversations.appendMessage(newId(), message('x'))).toBeNull();
      expect(await store.conversations.update(newId(), 1, { state: 'confirming' })).toBeNull();
    });

    test('appendMessage keeps dates and bumps the version', async () => {
      const store = getStore();
      const conversation = await store.conversations.ensure('console', uniqueKey('thread'), newId());
      const sent = message('hello', 'hermes');
      const updated = await store.conversations.appendMessage(conversation.id, sent);
      expect(updated?.messages).toEqual([sent]);
      expect(updated?.messages[0]?.at).toBeInstanceOf(Date);
      expect(updated?.version).toBe(conversation.version + 1);
      expect((await store.conversations.get(conversation.id))?.messages).toEqual([sent]);
    });

    test('20 parallel appendMessage lose nothing', async () => {
      const store = getStore();
      const conversation = await store.conversations.ensure('slack', uniqueKey('thread'), newId());
      await times(20, (i) => store.conversations.appendMessage(conversation.id, message(`m${i}`)));
      const stored = await store.conversations.get(conversation.id);
      expect(stored?.messages).toHaveLength(20);
      expect(new Set(stored?.messages.map((m) => m.text))).toEqual(
        new Set(Array.from({ length: 20 }, (_, i) => `m${i}`)),
      );
      expect(stored?.version).toBe(conversation.version + 20);
    });

    test('update is a compare-and-set on version', async () => {
      const store = getStore();
      const conversation = await store.conversations.ensure('slack', uniqueKey('thread'), newId());
      const projectId = newId();
      const updated = await store.conversations.update(conversation.id, conversation.version, {
        state: 'confirming',
        draft: { budget: 100, scope: ['a', 'b'] },
        projectId,
      });
      expect(updated).toMatchObject({
        state: 'confirming',
        draft: { budget: 100, scope: ['a', 'b'] },
        projectId,
      });
      expect(updated?.version).toBe(conversation.version + 1);
      expect(
        await store.conversations.update(conversation.id, conversation.version, { state: 'handed_off' }),
      ).toBeNull();
      const cleared = await store.conversations.update(conversation.id, updated!.version, {
        projectId: null,
      });
      expect(cleared).toMatchObject({
        state: 'confirming',
        draft: { budget: 100, scope: ['a', 'b'] },
        projectId: null,
      });
    });

    test('10 parallel updates with the same expectedVersion: exactly one wins', async () => {
      const store = getStore();
      const conversation = await store.conversations.ensure('slack', uniqueKey('thread'), newId());
      const results = await times(10, (i) =>
        store.conversations.update(conversation.id, conversation.version, { draft: { writer: i } }),
      );
      const winners = results.filter((r) => r !== null);
      expect(winners).toHaveLength(1);
      expect((await store.conversations.get(conversation.id))?.draft).toEqual(winners[0]!.draft);
    });

    test('listByIdentity lists the identity conversations', async () => {
      const store = getStore();
      const identityId = newId();
      const a = await store.conversations.ensure('slack', uniqueKey('thread'), identityId);
      const b = await store.conversations.ensure('email', uniqueKey('thread'), identityId);
      await store.conversations.ensure('slack', uniqueKey('thread'), newId());
      const listed = await store.conversations.listByIdentity(identityId);
      expect(listed.map((c) => c.id).sort()).toEqual([a.id, b.id].sort());
    });
  });
}
