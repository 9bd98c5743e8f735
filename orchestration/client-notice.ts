/**
 * Tells a project's client something (plan sent back, plan approved, project complete): the notice is
 * kept once in the conversation the project came from and recorded in the outbox for each of the
 * project's threads (else the conversation's own thread), under an id stable for the same words about
 * the same project, so an orchestration step that runs again tells nothing twice. Delivery is the
 * `client.notify` job's (enqueued here when a job queue is given) or the `client.notify.sweep` job's.
 */
import type { Logger } from '../common/logging/logger.js';
import type { JobQueue } from '../ports/job-queue.js';
import { scheduleDelivery } from './notices/client-notices.js';
import { recordNotice, textEffectId } from './notices/record-notice.js';
import type { Project, Store } from '../ports/store.js';
import type { NoticeAttachment } from '../ports/surface-notifier.js';

export interface TellOptions {
  jobs?: JobQueue | null;
  logger?: Logger;
  /** Stable id of this notice; default: derived from the project and the text. */
  effectId?: string;
  /** Files sent with it (made when it is delivered). */
  attachments?: NoticeAttachment[];
}

/** False when the project has no thread and no conversation to tell. */
export async function tellClient(
  store: Store,
  project: Project,
  text: string,
  options: TellOptions = {},
): Promise<boolean> {
  const keys = await recordNotice(store, {
    effectId: options.effectId ?? textEffectId(`notice:${project.id}`, text),
    kind: 'notice',
    text,
    project,
    ...(options.attachments ? { attachments: options.attachments } : {}),
  });
  await scheduleDelivery(options.jobs ?? null, keys, options.logger);
  return keys.length > 0;
}
