/**
 * The inbox as a surface sees it: an inbound event is stored under its natural key, claimed, before it
 * is acknowledged (`receive`, the inbound recorder the Slack receiver uses); a repeat delivery is dropped
 * unless its earlier attempt failed or died, and a client message waiting for the intake's redrive is
 * left to it. Surfaces get this object instead of the inbox itself.
 */
import type { InboxEntry, InboxRepository, Surface } from '../../ports/store.js';
import { InboundRecorder } from './inbound-recorder.js';

export interface InboundEvents {
  /**
   * Stores the event, claimed. True when this delivery is to be processed now; false for a repeat to
   * drop (done, being processed, or waiting for the intake's redrive). An attempt that began longer
   * than `reclaimAfterMs` ago belongs to a dead process and is taken over.
   */
  receive(
    key: string,
    surface: Surface,
    payload: unknown,
    options?: { reclaimAfterMs?: number },
  ): Promise<boolean>;
  get(key: string): Promise<InboxEntry | null>;
  done(key: string): Promise<void>;
  failed(key: string, error: string): Promise<void>;
}

export function inboundEvents(inbox: InboxRepository): InboundEvents {
  const recorder = new InboundRecorder(inbox);
  return {
    receive: (key, surface, payload, options) => recorder.receive(key, surface, payload, options),
    get: (key) => inbox.get(key),
    done: (key) => recorder.done(key),
    failed: (key, error) => recorder.failed(key, error),
  };
}
