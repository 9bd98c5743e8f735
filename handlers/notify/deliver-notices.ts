/**
 * Delivers recorded client notices (outbox kind `client.notice`) through the notifier of each thread's
 * surface. A delivery holds a short lease on its key, so an inline delivery and the sweep never post the
 * same notice at once; the notifier itself sends once per effect id (the surfaces' own outbox entries,
 * Slack metadata, fixed Message-IDs, Discord nonces). Console threads need no delivery: the conversation
 * holds the notice. A surface without a notifier in this process leaves the notice pending.
 */
import { z } from 'zod';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { Store } from '../../ports/store.js';
import type { NotifierRegistry } from './notifier-registry.js';
import { NOTICE_KIND } from '../../orchestration/notices/record-notice.js';
import type { ClientNotice } from '../../ports/surface-notifier.js';

const surface = z.enum(['slack', 'discord', 'email', 'console']);
const NoticeSchema = z.object({
  effectId: z.string().min(1),
  kind: z.enum(['reply', 'notice', 'digest']),
  text: z.string(),
  thread: z.object({ surface, channel: z.string(), threadKey: z.string() }),
  projectId: z.string().nullable(),
  conversationId: z.string().nullable(),
});

export type DeliveryOutcome =
  'delivered' | 'done' | 'no_notifier' | 'busy' | 'failed' | 'gave_up' | 'unknown';

/** Attempts after which a notice that keeps failing is left failed in the outbox (and logged). */
export const MAX_DELIVERY_ATTEMPTS = 10;

export interface NoticeDeliveryOptions {
  store: Store;
  notifiers: NotifierRegistry;
  logger: Logger;
  /** Names this process in delivery leases. */
  holder: string;
  leaseMs?: number;
}

export class NoticeDelivery {
  constructor(private readonly options: NoticeDeliveryOptions) {}

  /** Delivers one recorded notice now if this process can. */
  async deliver(key: string): Promise<DeliveryOutcome> {
    const { store, notifiers, logger, holder } = this.options;
    const entry = await store.outbox.get(key);
    if (!entry || entry.kind !== NOTICE_KIND) return 'unknown';
    if (entry.status === 'done') return 'done';
    if (entry.status === 'failed' && entry.attempts >= MAX_DELIVERY_ATTEMPTS) return 'gave_up';
    const parsed = NoticeSchema.safeParse(entry.payload);
    if (!parsed.success) {
      await store.outbox.fail(key, `unreadable notice: ${parsed.error.message}`);
      return 'failed';
    }
    const notice: ClientNotice = parsed.data;
    const notifier = notice.thread.surface === 'console' ? null : notifiers.get(notice.thread.surface);
    if (notice.thread.surface !== 'console' && notifier === null) return 'no_notifier';
    const lease = await store.leases.acquire(`lease:${key}`, holder, this.options.leaseMs ?? 60_000);
    if (!lease) return 'busy';
    try {
      if ((await store.outbox.begin(key)) === null) return 'done';
      try {
        await notifier?.deliver(notice);
        await store.outbox.complete(key, { surface: notice.thread.surface, deliveredBy: holder });
        logger.info('client notice delivered', { key, surface: notice.thread.surface, kind: notice.kind });
        return 'delivered';
      } catch (error) {
        const failed = await store.outbox.fail(key, errorMessage(error));
        if ((failed?.attempts ?? 0) >= MAX_DELIVERY_ATTEMPTS) {
          logger.error('client notice failed too often: giving up; it stays failed in the outbox', {
            key,
            error: errorMessage(error),
          });
          return 'gave_up';
        }
        logger.warn('client notice not delivered; it will be tried again', {
          key,
          error: errorMessage(error),
        });
        return 'failed';
      }
    } finally {
      await store.leases.release(lease.key, lease.token);
    }
  }

  /** Delivers every pending notice this process can; returns how many went out. */
  async sweep(limit = 500): Promise<number> {
    const pending = await this.options.store.outbox.listPending(limit);
    let delivered = 0;
    for (const entry of pending) {
      if (entry.kind !== NOTICE_KIND) continue;
      if ((await this.deliver(entry.effectId)) === 'delivered') delivered += 1;
    }
    return delivered;
  }
}
