import { describe, expect, test } from '@jest/globals';
import { newId } from '../../../common/ids.js';
import type { GetStore } from './support.js';

export function rateCounterCases(getStore: GetStore): void {
  describe('rate counters', () => {
    test('counts per key and per fixed window; a new window starts over', async () => {
      const store = getStore();
      const key = `test:${newId()}`;
      const other = `test:${newId()}`;
      const at = new Date(Math.floor(Date.now() / 60_000) * 60_000 + 1_000);
      expect(await store.rateCounters.hit(key, 60_000, at)).toBe(1);
      expect(await store.rateCounters.hit(key, 60_000, new Date(at.getTime() + 58_000))).toBe(2);
      expect(await store.rateCounters.hit(other, 60_000, at)).toBe(1);
      // 59 s after the window's start: the next window.
      expect(await store.rateCounters.hit(key, 60_000, new Date(at.getTime() + 59_000))).toBe(1);
    });

    test('concurrent hits each see a different count, from 1 to N', async () => {
      const store = getStore();
      const key = `test:${newId()}`;
      const at = new Date();
      const counts = await Promise.all(
        Array.from({ length: 12 }, () => store.rateCounters.hit(key, 60_000, at)),
      );
      expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    });

    test('a window that is not a whole positive number of milliseconds is refused', async () => {
      const store = getStore();
      await expect(store.rateCounters.hit('x', 0)).rejects.toThrow(/rate window/);
      await expect(store.rateCounters.hit('x', 1.5)).rejects.toThrow(/rate window/);
    });
  });
}
