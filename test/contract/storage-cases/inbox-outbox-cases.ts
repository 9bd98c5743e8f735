import { describe, expect, test } from '@jest/globals';
import { times, uniqueKey, type GetStore } from './support.js';

export function inboxCases(getStore: GetStore): void {
  describe('inbox', () => {
    test('record stores once; a repeat delivery is not inserted', async () => {
      const store = getStore();
      const key = uniqueKey('slack:event');
      const payload = { type: 'message', text: 'hi', nested: { n: 1 } };
      const first = await store.inbox.record(key, 'slack', payload);
      expect(first.inserted).toBe(true);
      expect(first.entry).toMatchObject({
        key,
        surface: 'slack',
        payload,
        attached: null,
        status: 'received',
        attempts: 0,
        error: null,
        processedAt: null,
      });
      expect(first.entry.receivedAt).toBeInstanceOf(Date);
      const again = await store.inbox.record(key, 'slack', { other: true });
      expect(again).toEqual({ inserted: false, entry: first.entry });
      expect(await store.inbox.get(key)).toEqual(first.entry);
      expect(await store.inbox.get(uniqueKey('none'))).toBeNull();
    });

    test('completeMany marks many entries done in one statement, skipping done and unknown keys', async () => {
      const store = getStore();
      const [a, b, c] = [uniqueKey('slack:event'), uniqueKey('slack:event'), uniqueKey('slack:event')];
      await store.inbox.record(a, 'slack', {}, { begin: true });
      await store.inbox.record(b, 'slack', {});
      await store.inbox.record(c, 'slack', {});
      const doneBefore = await store.inbox.complete(c);
      expect(await store.inbox.completeMany([a, b, c, uniqueKey('none')])).toBe(2);
      for (const key of [a, b]) {
        expect(await store.inbox.get(key)).toMatchObject({ status: 'done', error: null });
        expect((await store.inbox.get(key))?.processedAt).toBeInstanceOf(Date);
      }
      expect(await store.inbox.get(c)).toEqual(doneBefore);
      expect(await store.inbox.completeMany([])).toBe(0);
    });

    test('20 parallel records of one key: exactly one inserted', async () => {
      const store = getStore();
      const key = uniqueKey('slack:event');
      const results = await times(20, (i) => store.inbox.record(key, 'slack', { i }));
      expect(results.filter((r) => r.inserted)).toHaveLength(1);
      const winner = results.find((r) => r.inserted)!;
      for (const result of results) expect(result.entry.payload).toEqual(winner.entry.payload);
    });

    test('begin, fail, begin again, complete', async () => {
      const store = getStore();
      const key = uniqueKey('imap');
      await store.inbox.record(key, 'email', null);
      const begun = await store.inbox.begin(key);
      expect(begun).toMatchObject({ status: 'processing', attempts: 1 });
      expect(await store.inbox.begin(key)).toBeNull();
      expect(await store.inbox.fail(key, 'llm down')).toMatchObject({ status: 'failed', error: 'llm down' });
      expect(await store.inbox.begin(key)).toMatchObject({ status: 'processing', attempts: 2 });
      const done = await store.inbox.complete(key);
      expect(done).toMatchObject({ status: 'done', error: null });
      expect(done?.processedAt).toBeInstanceOf(Date);
      expect(await store.inbox.begin(key)).toBeNull();
      expect(await store.inbox.fail(key, 'late')).toBeNull();
      expect((await store.inbox.get(key))?.status).toBe('done');
      const again = await store.inbox.complete(key);
      expect(again).toMatchObject({ status: 'done' });
      expect(again?.processedAt).toEqual(done?.processedAt);
      const unknown = uniqueKey('none');
      expect(await store.inbox.begin(unknown)).toBeNull();
      expect(await store.inbox.complete(unknown)).toBeNull();
      expect(await store.inbox.fail(unknown, 'x')).toBeNull();
    });

    test('record with begin stores a new entry already processing; a repeat is not begun again', async () => {
      const store = getStore();
      const key = uniqueKey('slack:event');
      const first = await store.inbox.record(key, 'slack', { n: 1 }, { begin: true });
      expect(first).toMatchObject({ inserted: true, entry: { status: 'processing', attempts: 1 } });
      expect(first.entry.startedAt).toBeInstanceOf(Date);
      const repeat = await store.inbox.record(key, 'slack', { n: 2 }, { begin: true });
      expect(repeat).toMatchObject({
        inserted: false,
        entry: { status: 'processing', attempts: 1, payload: { n: 1 } },
      });
      expect(await store.inbox.begin(key)).toBeNull();
    });

    test('recordMany stores a group claimed, in order; a key seen before or given twice is a repeat', async () => {
      const store = getStore();
      const [old, a, b] = [uniqueKey('slack:event'), uniqueKey('slack:event'), uniqueKey('slack:event')];
      await store.inbox.record(old, 'slack', { n: 0 });
      const results = await store.inbox.recordMany([
        { key: a, surface: 'slack', payload: { n: 1, text: 'é "quoted"' } },
        { key: old, surface: 'slack', payload: { n: 2 } },
        { key: b, surface: 'discord', payload: { n: 3 } },
        { key: a, surface: 'slack', payload: { n: 4 } },
      ]);
      expect(results.map((r) => r.inserted)).toEqual([true, false, true, false]);
      expect(results[0]!.entry).toMatchObject({ key: a, status: 'processing', attempts: 1 });
      expect(results[1]!.entry).toMatchObject({ key: old, status: 'received', payload: { n: 0 } });
      expect(results[3]!.entry).toMatchObject({ key: a, status: 'processing', payload: { n: 1 } });
      expect(await store.inbox.get(a)).toMatchObject({ payload: { n: 1, text: 'é "quoted"' }, attempts: 1 });
      expect(await store.inbox.get(b)).toMatchObject({ surface: 'discord', status: 'processing' });
      expect(await store.inbox.recordMany([])).toEqual([]);
    });

    test('an attempt left processing by a dead worker is reclaimed only after reclaimAfterMs', async () => {
      const store = getStore();
      const key = uniqueKey('slack:event');
      await store.inbox.record(key, 'slack', { text: 'hi' });
      const first = await store.inbox.begin(key);
      expect(first?.startedAt).toBeInstanceOf(Date);
      expect(await store.inbox.begin(key, { reclaimAfterMs: 60_000 })).toBeNull();
      await new Promise((resolve) => setTimeout(resolve, 80));
      expect(await store.inbox.begin(key)).toBeNull();
      const reclaimed = await times(5, () => store.inbox.begin(key, { reclaimAfterMs: 40 }));
      expect(reclaimed.filter((entry) => entry !== null)).toHaveLength(1);
      expect(reclaimed.find((entry) => entry !== null)).toMatchObject({ status: 'processing', attempts: 2 });
    });

    test('attach keeps what a handler made of the event beside the payload, in any state', async () => {
      const store = getStore();
      const key = uniqueKey('slack:event');
      const payload = { type: 'event_callback', event: { type: 'message', text: 'hi' } };
      await store.inbox.record(key, 'slack', payload, { begin: true });
      const message = { kind: 'client_message', key, text: 'hi', nested: { n: 1 } };
      const attached = await store.inbox.attach(key, message);
      expect(attached).toMatchObject({ key, payload, attached: message, status: 'processing', attempts: 1 });
      expect(await store.inbox.get(key)).toEqual(attached);
      expect(await store.inbox.fail(key, 'LLM_UNAVAILABLE: down')).toMatchObject({ attached: message });
      expect((await store.inbox.listUnfinished(10_000)).find((entry) => entry.key === key)).toMatchObject({
        attached: message,
        status: 'failed',
      });
      await store.inbox.complete(key);
      const replaced = await store.inbox.attach(key, { kind: 'client_message', key, text: 'again' });
      expect(replaced).toMatchObject({ status: 'done', payload, attached: { text: 'again' } });
      expect(await store.inbox.attach(uniqueKey('none'), message)).toBeNull();
    });

    test('10 parallel begins: exactly one worker gets the entry', async () => {
      const store = getStore();
      const key = uniqueKey('discord');
      await store.inbox.record(key, 'discord', {});
      const results = await times(10, () => store.inbox.begin(key));
      expect(results.filter((r) => r !== null)).toHaveLength(1);
    });

    test('listUnfinished lists entries not done, oldest first', async () => {
      const store = getStore();
      const [a, b, c] = [uniqueKey('u'), uniqueKey('u'), uniqueKey('u')];
      await store.inbox.record(a, 'console', {});
      await store.inbox.record(b, 'console', {});
      await store.inbox.record(c, 'console', {});
      await store.inbox.begin(b);
      await store.inbox.complete(c);
      const keys = (await store.inbox.listUnfinished(10_000)).map((e) => e.key);
      expect(keys.filter((k) => [a, b, c].includes(k))).toEqual([a, b]);
      expect(await store.inbox.listUnfinished(1)).toHaveLength(1);
    });
  });
}

export function outboxCases(getStore: GetStore): void {
  describe('outbox', () => {
    test('enqueue once; begin counts attempts; complete keeps the result', async () => {
      const store = getStore();
      const effectId = uniqueKey('slack.post');
      const first = await store.outbox.enqueue(effectId, 'slack.post', { channel: 'C', text: 'hi' });
      expect(first.inserted).toBe(true);
      expect(first.entry).toMatchObject({
        effectId,
        kind: 'slack.post',
        status: 'pending',
        attempts: 0,
        result: null,
        error: null,
      });
      expect(await store.outbox.enqueue(effectId, 'slack.post', { other: 1 })).toEqual({
        inserted: false,
        entry: first.entry,
      });
      expect(await store.outbox.begin(effectId)).toMatchObject({ status: 'in_flight', attempts: 1 });
      expect(await store.outbox.begin(effectId)).toMatchObject({ status: 'in_flight', attempts: 2 });
      const done = await store.outbox.complete(effectId, { ts: '1700.9' });
      expect(done).toMatchObject({ status: 'done', result: { ts: '1700.9' } });
      expect(await store.outbox.begin(effectId)).toBeNull();
      expect(await store.outbox.fail(effectId, 'late')).toBeNull();
      expect((await store.outbox.get(effectId))?.result).toEqual({ ts: '1700.9' });
      const unknown = uniqueKey('none');
      expect(await store.outbox.get(unknown)).toBeNull();
      expect(await store.outbox.begin(unknown)).toBeNull();
      expect(await store.outbox.complete(unknown, null)).toBeNull();
      expect(await store.outbox.fail(unknown, 'x')).toBeNull();
    });

    test('20 parallel enqueues of one effect: exactly one inserted', async () => {
      const store = getStore();
      const effectId = uniqueKey('email.send');
      const results = await times(20, (i) => store.outbox.enqueue(effectId, 'email.send', { i }));
      expect(results.filter((r) => r.inserted)).toHaveLength(1);
    });

    test('fail then retry; listPending lists what is not done', async () => {
      const store = getStore();
      const [a, b, c] = [uniqueKey('e'), uniqueKey('e'), uniqueKey('e')];
      await store.outbox.enqueue(a, 'vault.access', {});
      await store.outbox.enqueue(b, 'vault.access', {});
      await store.outbox.enqueue(c, 'vault.access', {});
      await store.outbox.begin(b);
      expect(await store.outbox.fail(b, 'timeout')).toMatchObject({
        status: 'failed',
        error: 'timeout',
        attempts: 1,
      });
      await store.outbox.begin(c);
      await store.outbox.complete(c, 'ok');
      const ids = (await store.outbox.listPending(10_000)).map((e) => e.effectId);
      expect(ids.filter((id) => [a, b, c].includes(id))).toEqual([a, b]);
      expect(await store.outbox.begin(b)).toMatchObject({ status: 'in_flight', attempts: 2 });
    });
  });
}
