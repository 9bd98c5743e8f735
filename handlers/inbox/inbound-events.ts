/**
 * The inbox as a surface sees it: an inbound event is stored under its natural key before it is
 * acknowledged (a repeat key is a repeat delivery: acknowledged and dropped), then claimed, finished or
 * failed. Surfaces get this object instead of the inbox itself; the intake's own bookkeeping of client
 * messages stays in handlers/intake.
 */
import type { InboxEntry, InboxRepository, Surface } from '../../ports/store.js';

export interface InboundEvents {
  /** Stores the event under its natural key; `inserted: false` when the key was stored before. */
  record(key: string, surface: Surface, payload: unknown): Promise<{ inserted: boolean; entry: InboxEntry }>;
  get(key: string): Promise<InboxEntry | null>;
  /**
   * Takes the event for processing (attempts + 1); null when it is done or another attempt has it. An
   * attempt that began longer than `reclaimAfterMs` ago belongs to a dead process and is taken over.
   */
  claim(key: string, reclaimAfterMs: number): Promise<InboxEntry | null>;
  complete(key: string): Promise<void>;
  fail(key: string, error: string): Promise<void>;
}

export function inboundEvents(inbox: InboxRepository): InboundEvents {
  return {
    record: (key, surface, payload) => inbox.record(key, surface, payload),
    get: (key) => inbox.get(key),
    claim: (key, reclaimAfterMs) => inbox.begin(key, { reclaimAfterMs }),
    async complete(key) {
      await inbox.complete(key);
    },
    async fail(key, error) {
      await inbox.fail(key, error);
    },
  };
}
