import { describe, expect, test } from '@jest/globals';
import { sleep, times, uniqueKey, type GetStore } from './support.js';

export function leaseCases(getStore: GetStore): void {
  describe('leases', () => {
    test('acquire, renew, isCurrent, release; tokens only grow', async () => {
      const store = getStore();
      const key = uniqueKey('lease');
      const first = await store.leases.acquire(key, 'a', 60_000);
      expect(first).toMatchObject({ key, holder: 'a' });
      expect(first!.expiresAt).toBeInstanceOf(Date);
      expect(await store.leases.acquire(key, 'b', 60_000)).toBeNull();
      expect(await store.leases.isCurrent(key, first!.token)).toBe(true);
      expect(await store.leases.renew(key, first!.token, 60_000)).toBe(true);
      expect(await store.leases.renew(key, first!.token + 1, 60_000)).toBe(false);
      expect(await store.leases.release(key, first!.token + 1)).toBe(false);
      expect(await store.leases.release(key, first!.token)).toBe(true);
      expect(await store.leases.isCurrent(key, first!.token)).toBe(false);
      const second = await store.leases.acquire(key, 'b', 60_000);
      expect(second?.token).toBeGreaterThan(first!.token);
      expect(await store.leases.renew(key, first!.token, 60_000)).toBe(false);
    });

    test('an expired lease can be taken over and the old token is stale', async () => {
      const store = getStore();
      const key = uniqueKey('lease');
      const first = await store.leases.acquire(key, 'a', 50);
      await sleep(150);
      expect(await store.leases.isCurrent(key, first!.token)).toBe(false);
      const second = await store.leases.acquire(key, 'b', 60_000);
      expect(second?.token).toBeGreaterThan(first!.token);
      expect(await store.leases.renew(key, first!.token, 60_000)).toBe(false);
      expect(await store.leases.release(key, first!.token)).toBe(false);
      expect(await store.leases.isCurrent(key, second!.token)).toBe(true);
    });

    test('20 parallel acquires: one winner; tokens strictly increase across acquisitions', async () => {
      const store = getStore();
      const key = uniqueKey('lease');
      const tokens: number[] = [];
      for (let round = 0; round < 3; round += 1) {
        const results = await times(20, (i) => store.leases.acquire(key, `h${round}-${i}`, 60_000));
        const winners = results.filter((r) => r !== null);
        expect(winners).toHaveLength(1);
        tokens.push(winners[0]!.token);
        expect(await store.leases.release(key, winners[0]!.token)).toBe(true);
      }
      expect(tokens[1]).toBeGreaterThan(tokens[0]!);
      expect(tokens[2]).toBeGreaterThan(tokens[1]!);
      expect(await store.leases.isCurrent(uniqueKey('none'), 1)).toBe(false);
      expect(await store.leases.renew(uniqueKey('none'), 1, 1000)).toBe(false);
      expect(await store.leases.release(uniqueKey('none'), 1)).toBe(false);
    });
  });
}
