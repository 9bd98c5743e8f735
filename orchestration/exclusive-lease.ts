/**
 * Work done by one holder at a time across processes: a short lease in the store, waited for (with a
 * growing pause) while another holder has it, released when the work ends. A holder that dies loses it
 * when the lease lapses. Used where a compare-and-set statement cannot say it all (find-or-open a
 * credential checkpoint, record a project's digests in order).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { OlympusError } from '../common/errors.js';
import { newId } from '../common/ids.js';
import type { Store } from '../ports/store.js';

/** How long one holder may keep a subject's lock, and how long another waits for it. */
const LOCK_MS = 15_000;
const WAIT_MS = 20_000;

/** Runs `work` holding the lease `key`; throws a retryable STORE_CONFLICT after waiting too long. */
export async function exclusively<T>(store: Store, key: string, work: () => Promise<T>): Promise<T> {
  const holder = `exclusive:${newId()}`;
  const deadline = Date.now() + WAIT_MS;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    const lease = await store.leases.acquire(key, holder, LOCK_MS);
    if (lease !== null) {
      try {
        return await work();
      } finally {
        await store.leases.release(key, lease.token);
      }
    }
    if (Date.now() > deadline)
      throw new OlympusError('STORE_CONFLICT', `${key} is held by another holder`, { retryable: true });
    await sleep(delay);
  }
}
