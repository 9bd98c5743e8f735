/**
 * Delivers recorded client notices (outbox kind `client.notice`) through the notifier of each thread's
 * surface, in the order they were recorded on each thread: a delivery holds a short lease on its thread
 * and first delivers every notice recorded on that thread before it that is still pending (so a "task
 * done" digest never arrives after the "project complete" one, whichever job runs first); when one of
 * those cannot go out yet, the later one waits too. The lease also keeps an inline delivery and the sweep
 * from posting the same notice at once; the notifier itself sends once per effect id (the surfaces' own
 * outbox entries, Slack metadata, fixed Message-IDs, Discord nonces). Console threads need no delivery: the
 * conversation holds the notice. A surface without a notifier in this process leaves the notice pending.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { OutboxEntry, Store, ThreadRef } from '../../ports/store.js';
import type { NotifierRegistry } from './notifier-registry.js';
import { NOTICE_KIND } from '../../orchestration/notices/record-notice.js';
import type { OutgoingFile } from '../../ports/chat-transport.js';
import type { ClientNotice, NoticeFiles } from '../../ports/surface-notifier.js';

const surface = z.enum(['slack', 'discord', 'email', 'console']);
const NoticeSchema = z.object({
  effectId: z.string().min(1),
  kind: z.enum(['reply', 'notice', 'digest']),
  text: z.string(),
  thread: z.object({ surface, channel: z.string(), threadKey: z.string() }),
  projectId: z.string().nullable(),
  conversationId: z.string().nullable(),
  attachments: z
    .array(z.object({ kind: z.literal('workspace_archive'), projectId: z.string().min(1) }))
    .optional(),
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
  /** Makes the files notices refer to; without it, notices go out without their files. */
  files?: NoticeFiles;
}

export class NoticeDelivery {
  constructor(private readonly options: NoticeDeliveryOptions) {}

  /**
   * Delivers one recorded notice now if this process can, after the notices recorded on its thread before
   * it (those that cannot go out yet hold it back: `failed`, tried again later).
   */
  async deliver(key: string): Promise<DeliveryOutcome> {
    const pending = await this.pendingNotice(key);
    if (typeof pending === 'string') return pending;
    const { entry, notice } = pending;
    if (notice.thread.surface !== 'console' && this.options.notifiers.get(notice.thread.surface) === null)
      return 'no_notifier';
    const leaseKey = threadLeaseKey(notice.thread);
    const lease = await this.acquire(leaseKey);
    if (!lease) return 'busy';
    try {
      for (const earlier of await this.earlierOnThread(entry, notice.thread)) {
        const outcome = await this.deliverOne(earlier.effectId);
        if (outcome === 'failed' || outcome === 'no_notifier' || outcome === 'unknown') {
          this.options.logger.info('client notice waits for an earlier one on its thread', {
            key,
            earlier: earlier.effectId,
          });
          return 'failed';
        }
      }
      return await this.deliverOne(key);
    } finally {
      await this.options.store.leases.release(leaseKey, lease.token);
    }
  }

  /** The thread's lease, waited for a little while another delivery on the thread holds it. */
  private async acquire(leaseKey: string) {
    const { store, holder } = this.options;
    const deadline = Date.now() + 10_000;
    for (let delay = 10; ; delay = Math.min(delay * 2, 250)) {
      const lease = await store.leases.acquire(leaseKey, holder, this.options.leaseMs ?? 60_000);
      if (lease || Date.now() > deadline) return lease;
      await sleep(delay);
    }
  }

  /** Notices recorded on the same thread before `entry` and not delivered yet, oldest first. */
  private async earlierOnThread(entry: OutboxEntry, thread: ThreadRef): Promise<OutboxEntry[]> {
    const pending = await this.options.store.outbox.listPending(500);
    const earlier: OutboxEntry[] = [];
    for (const other of pending) {
      if (other.effectId === entry.effectId) break;
      if (other.kind !== NOTICE_KIND) continue;
      const parsed = NoticeSchema.safeParse(other.payload);
      if (!parsed.success || !sameThread(parsed.data.thread, thread)) continue;
      if (other.status === 'failed' && other.attempts >= MAX_DELIVERY_ATTEMPTS) continue;
      earlier.push(other);
    }
    return earlier;
  }

  /** The recorded notice still to deliver, or what became of it (an unreadable one is marked failed). */
  private async pendingNotice(
    key: string,
  ): Promise<DeliveryOutcome | { entry: OutboxEntry; notice: ClientNotice }> {
    const { store } = this.options;
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
    return { entry, notice };
  }

  /** Delivers one notice; the caller holds its thread's lease. */
  private async deliverOne(key: string): Promise<DeliveryOutcome> {
    const { store, notifiers, logger, holder } = this.options;
    const pending = await this.pendingNotice(key);
    if (typeof pending === 'string') return pending;
    const { notice } = pending;
    const notifier = notice.thread.surface === 'console' ? null : notifiers.get(notice.thread.surface);
    if (notice.thread.surface !== 'console' && notifier === null) return 'no_notifier';
    if ((await store.outbox.begin(key)) === null) return 'done';
    try {
      if (notifier) await notifier.deliver(notice, await this.filesOf(notice));
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
  }

  /** The files of the notice's attachments (those that can be made; none for a console thread). */
  private async filesOf(notice: ClientNotice): Promise<OutgoingFile[]> {
    const files: OutgoingFile[] = [];
    for (const attachment of notice.attachments ?? []) {
      const file = await this.options.files?.resolve(attachment);
      if (file) files.push(file);
    }
    return files;
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

function sameThread(a: ThreadRef, b: ThreadRef): boolean {
  return a.surface === b.surface && a.channel === b.channel && a.threadKey === b.threadKey;
}

function threadLeaseKey(thread: ThreadRef): string {
  return `notice-thread:${thread.surface}:${thread.channel}:${thread.threadKey}`;
}
