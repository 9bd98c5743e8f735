/**
 * Telling a client something on the surface they use: the notice is recorded in the outbox per target
 * thread (durable, once per effect id), then a `client.notify` job per thread delivers it. When the job
 * cannot be enqueued, the `client.notify.sweep` job delivers it later: nothing recorded is lost.
 */
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { Store } from '../../ports/store.js';
import type { JobQueue } from '../../ports/job-queue.js';
import { NOTIFY_JOBS } from '../../ports/job-queue.js';
import { recordNotice, type NoticeRequest } from './record-notice.js';

export interface ClientNoticesOptions {
  store: Store;
  jobs: JobQueue | null;
  logger: Logger;
}

export class ClientNotices {
  constructor(private readonly options: ClientNoticesOptions) {}

  /** Records the notice and starts its delivery; returns the outbox keys (one per thread). */
  async send(request: NoticeRequest): Promise<string[]> {
    const keys = await recordNotice(this.options.store, request);
    await scheduleDelivery(this.options.jobs, keys, this.options.logger);
    return keys;
  }
}

/** Enqueues one `client.notify` job per recorded key; a failed enqueue is left to the sweep. */
export async function scheduleDelivery(
  jobs: JobQueue | null,
  keys: string[],
  logger?: Logger,
): Promise<void> {
  if (jobs === null) return;
  for (const key of keys) {
    try {
      await jobs.enqueue(NOTIFY_JOBS.clientNotify, { key });
    } catch (error) {
      logger?.warn('notice delivery job not enqueued; the sweep will deliver it', {
        key,
        error: errorMessage(error),
      });
    }
  }
}
