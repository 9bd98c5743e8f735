/**
 * Inbox entries arriving together are stored in groups on a real PostgreSQL: a burst of concurrent events
 * takes far fewer statements than events, each event is stored exactly once and claimed, a repeat in the
 * same burst is answered as a repeat, and an event the database refuses fails alone. An `observe` callback
 * hears of every statement (size, time, outcome), and one that throws fails no write.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { InboxArrivals, type InboxGroupWrite } from '../../handlers/inbox/inbox-arrivals.js';
import type { InboxArrival, InboxRepository } from '../../ports/store.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';

describe('inbox arrivals: group commit of inbound events', () => {
  let db: EmbeddedStore;
  let statements: number[];
  let arrivals: InboxArrivals;

  beforeAll(async () => {
    db = await startEmbeddedStore();
  }, 60_000);

  afterAll(async () => {
    await db?.teardown();
  });

  /** The real repository, counting the size of each group it is given. */
  function counted(inbox: InboxRepository): Pick<InboxRepository, 'recordMany'> {
    return {
      recordMany: (events: readonly InboxArrival[]) => {
        statements.push(events.length);
        return inbox.recordMany(events);
      },
    };
  }

  beforeEach(() => {
    statements = [];
    arrivals = new InboxArrivals(counted(db.store.inbox));
  });

  test('100 concurrent events: every one stored once and claimed, in fewer statements than events', async () => {
    const keys = Array.from({ length: 100 }, (_, i) => `slack:event:burst-${i}`);
    const results = await Promise.all(
      keys.map((key, i) => arrivals.record({ key, surface: 'slack', payload: { i } })),
    );
    expect(results.every((r) => r.inserted)).toBe(true);
    expect(results.map((r) => r.entry.key)).toEqual(keys);
    expect(statements.reduce((a, b) => a + b, 0)).toBe(100);
    expect(statements.length).toBeLessThan(10);
    const rows = await Promise.all(keys.map((key) => db.store.inbox.get(key)));
    expect(rows.every((row) => row?.status === 'processing' && row.attempts === 1)).toBe(true);
  });

  test('a lone event is written at once, alone', async () => {
    const result = await arrivals.record({ key: 'slack:event:alone', surface: 'slack', payload: {} });
    expect(result.inserted).toBe(true);
    expect(statements).toEqual([1]);
  });

  test('the same key twice in one burst: stored once, the second answered as a repeat', async () => {
    const [first, second] = await Promise.all([
      arrivals.record({ key: 'slack:event:twice', surface: 'slack', payload: { n: 1 } }),
      arrivals.record({ key: 'slack:event:twice', surface: 'slack', payload: { n: 2 } }),
    ]);
    expect(first.inserted).toBe(true);
    expect(second.inserted).toBe(false);
    expect(second.entry.payload).toEqual({ n: 1 });
  });

  test('an event PostgreSQL refuses (a NUL in its text) fails alone; the rest of its group is stored', async () => {
    // Fill the first group so the next three are written together.
    const warm = arrivals.record({ key: 'slack:event:warm', surface: 'slack', payload: {} });
    const group = [
      arrivals.record({ key: 'slack:event:ok-1', surface: 'slack', payload: { text: 'fine' } }),
      arrivals.record({ key: 'slack:event:bad', surface: 'slack', payload: { text: 'nul \u0000 here' } }),
      arrivals.record({ key: 'slack:event:ok-2', surface: 'slack', payload: { text: 'fine too' } }),
    ];
    await warm;
    const settled = await Promise.allSettled(group);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(statements.slice(0, 2)).toEqual([1, 3]);
    expect(await db.store.inbox.get('slack:event:ok-1')).toMatchObject({ status: 'processing' });
    expect(await db.store.inbox.get('slack:event:ok-2')).toMatchObject({ status: 'processing' });
    expect(await db.store.inbox.get('slack:event:bad')).toBeNull();
  });

  test('observe hears of each statement: its size, its time, and whether it failed', async () => {
    const heard: InboxGroupWrite[] = [];
    arrivals = new InboxArrivals(counted(db.store.inbox), { observe: (write) => heard.push(write) });
    const warm = arrivals.record({ key: 'slack:event:seen-warm', surface: 'slack', payload: {} });
    const group = [
      arrivals.record({ key: 'slack:event:seen-1', surface: 'slack', payload: {} }),
      arrivals.record({ key: 'slack:event:seen-bad', surface: 'slack', payload: { text: '\u0000' } }),
    ];
    await warm;
    await Promise.allSettled(group);
    // The lone first event, the failed group of two, then each of its events again on its own.
    expect(heard.map(({ size, ok }) => ({ size, ok }))).toEqual([
      { size: 1, ok: true },
      { size: 2, ok: false },
      { size: 1, ok: true },
      { size: 1, ok: false },
    ]);
    expect(heard.map(({ size }) => size)).toEqual(statements);
    expect(heard.every((write) => write.ms >= 0 && write.poolWaitMs === undefined)).toBe(true);
  });

  test('an observer that throws fails no write', async () => {
    arrivals = new InboxArrivals(counted(db.store.inbox), {
      observe: () => {
        throw new Error('observer broke');
      },
    });
    const result = await arrivals.record({
      key: 'slack:event:observer-broke',
      surface: 'slack',
      payload: {},
    });
    expect(result.inserted).toBe(true);
    expect(statements).toEqual([1]);
  });
});
