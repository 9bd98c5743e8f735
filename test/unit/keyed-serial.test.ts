import { describe, expect, test } from '@jest/globals';
import { KeyedSerial } from '../../common/keyed-serial.js';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('KeyedSerial: one at a time per key', () => {
  test('work for one key runs in the order given, never two at once; other keys run beside it', async () => {
    const serial = new KeyedSerial();
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const step = (key: string, n: number, ms: number) =>
      serial.run(key, async () => {
        running += key === 'a' ? 1 : 0;
        most = Math.max(most, running);
        log.push(`${key}${n}+`);
        await tick(ms);
        log.push(`${key}${n}-`);
        running -= key === 'a' ? 1 : 0;
        return n;
      });
    const results = await Promise.all([step('a', 1, 20), step('a', 2, 1), step('b', 1, 1), step('a', 3, 1)]);
    expect(results).toEqual([1, 2, 1, 3]);
    expect(most).toBe(1);
    expect(log.filter((line) => line.startsWith('a'))).toEqual(['a1+', 'a1-', 'a2+', 'a2-', 'a3+', 'a3-']);
    // b ran while a1 was still running.
    expect(log.indexOf('b1-')).toBeLessThan(log.indexOf('a1-'));
    await tick(0);
    expect(serial.size).toBe(0);
  });

  test('a failure settles its own caller only; the next work for the key runs', async () => {
    const serial = new KeyedSerial();
    const failed = serial.run('k', () => Promise.reject(new Error('boom')));
    const next = serial.run('k', () => Promise.resolve('ran'));
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
  });
});
