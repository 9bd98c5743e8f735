/**
 * Rate limits counted in the store, shared by every process: the per-client intake limit (the limit per
 * fixed window, then one notice, then silence; a new window starts over; two limiters on one store share one
 * count) and the per-sender mail reply budget (per hour, per sender, shared across processes).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { ReplyRateLimit } from '../../handlers/outbox/reply-budget.js';
import { ClientRateLimiter, rateLimitNotice } from '../../handlers/intake/client-rate-limit.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';

const alice = { surface: 'slack' as const, externalId: 'U0ALICE' };
const bob = { surface: 'slack' as const, externalId: 'U0BOB' };

let db: EmbeddedStore;
beforeAll(async () => {
  db = await startEmbeddedStore();
});
afterAll(async () => {
  await db?.teardown();
});

describe('ClientRateLimiter', () => {
  test('allows the limit per window, then one notice, then silence; a new window starts over', async () => {
    let now = Date.parse('2030-01-01T10:00:05Z');
    const limiter = new ClientRateLimiter({ perMinute: 3, counters: db.store.rateCounters, now: () => now });
    const first = [];
    for (let n = 0; n < 6; n += 1) first.push(await limiter.take(alice));
    expect(first).toEqual(['allowed', 'allowed', 'allowed', 'notice', 'silent', 'silent']);
    expect(await limiter.take(bob)).toBe('allowed');
    now = Date.parse('2030-01-01T10:00:59.999Z');
    expect(await limiter.take(alice)).toBe('silent');
    now = Date.parse('2030-01-01T10:01:00Z');
    expect(await limiter.take(alice)).toBe('allowed');
  });

  test('two limiters on one store (two processes) count together', async () => {
    const now = () => Date.parse('2030-02-01T08:30:10Z');
    const one = new ClientRateLimiter({ perMinute: 4, counters: db.store.rateCounters, now });
    const two = new ClientRateLimiter({ perMinute: 4, counters: db.store.rateCounters, now });
    const decisions = await Promise.all(
      Array.from({ length: 10 }, (_, n) => (n % 2 === 0 ? one : two).take(alice)),
    );
    expect(decisions.filter((d) => d === 'allowed')).toHaveLength(4);
    expect(decisions.filter((d) => d === 'notice')).toHaveLength(1);
    expect(decisions.filter((d) => d === 'silent')).toHaveLength(5);
  });

  test('0 turns the limit off', async () => {
    const limiter = new ClientRateLimiter({ perMinute: 0, counters: db.store.rateCounters });
    const decisions = await Promise.all(Array.from({ length: 50 }, () => limiter.take(alice)));
    expect(new Set(decisions)).toEqual(new Set(['allowed']));
  });

  test('a negative or fractional limit is refused with a clear error', () => {
    const counters = db.store.rateCounters;
    expect(() => new ClientRateLimiter({ perMinute: -1, counters })).toThrow(
      /perMinute must be a whole number/,
    );
    expect(() => new ClientRateLimiter({ perMinute: 1.5, counters })).toThrow(
      /perMinute must be a whole number/,
    );
  });

  test('the notice names the limit', () => {
    expect(rateLimitNotice(30)).toContain('more than 30 a minute');
  });
});

describe('ReplyRateLimit', () => {
  test('the reply budget is per sender and per hour, and two processes spend from the same one', async () => {
    let now = Date.parse('2030-03-01T09:10:00Z');
    const one = new ReplyRateLimit(2, db.store.rateCounters, () => now);
    const two = new ReplyRateLimit(2, db.store.rateCounters, () => now);
    expect([
      await one.take('a@example.org'),
      await two.take('A@example.org'),
      await one.take('a@example.org'),
    ]).toEqual([true, true, false]);
    expect(await two.take('b@example.org')).toBe(true);
    now = Date.parse('2030-03-01T10:00:00Z');
    expect(await one.take('a@example.org')).toBe(true);
  });
});
