import { describe, expect, test } from '@jest/globals';
import { ClientRateLimiter, rateLimitNotice } from '../../handlers/intake/client-rate-limit.js';

const alice = { surface: 'slack' as const, externalId: 'U0ALICE' };
const bob = { surface: 'slack' as const, externalId: 'U0BOB' };

describe('ClientRateLimiter', () => {
  test('allows the limit per window, then one notice, then silence; a new window starts over', () => {
    let now = 1_000_000;
    const limiter = new ClientRateLimiter({ perMinute: 3, now: () => now });
    const first = Array.from({ length: 6 }, () => limiter.take(alice));
    expect(first).toEqual(['allowed', 'allowed', 'allowed', 'notice', 'silent', 'silent']);
    expect(limiter.take(bob)).toBe('allowed');
    now += 59_999;
    expect(limiter.take(alice)).toBe('silent');
    now += 1;
    expect(limiter.take(alice)).toBe('allowed');
  });

  test('0 turns the limit off', () => {
    const limiter = new ClientRateLimiter({ perMinute: 0 });
    expect(new Set(Array.from({ length: 500 }, () => limiter.take(alice)))).toEqual(new Set(['allowed']));
  });

  test('a negative or fractional limit is refused with a clear error', () => {
    expect(() => new ClientRateLimiter({ perMinute: -1 })).toThrow(/perMinute must be a whole number/);
    expect(() => new ClientRateLimiter({ perMinute: 1.5 })).toThrow(/perMinute must be a whole number/);
  });

  test('the notice names the limit', () => {
    expect(rateLimitNotice(30)).toContain('more than 30 a minute');
  });
});
