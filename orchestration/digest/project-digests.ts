/**
 * Status digests: `send` builds a project's digest from stored state and hands it to the client notices
 * under the effect id `digest:<project>:<key>` (sent once per key); `schedule` enqueues the daily digest
 * of every running project whose time has come in its client's time zone.
 */
import type { Logger } from '../../common/logging/logger.js';
import type { JobQueue } from '../../ports/job-queue.js';
import type { ClientNotices } from '../notices/client-notices.js';
import { NOTIFY_JOBS } from '../../ports/job-queue.js';
import type { Store } from '../../ports/store.js';
import { dueDigestKey, localTime, timeZoneOf, type DigestSchedule } from './digest-schedule.js';
import { renderDigest, type DigestReason } from './digest-text.js';
import { withLedgerSpend } from '../budget/project-spend.js';
import { exclusively } from '../exclusive-lease.js';
import { systemClock, type Clock } from '../../ports/clock.js';

export interface ProjectDigestsOptions {
  store: Store;
  notices: ClientNotices;
  jobs: JobQueue;
  schedule: DigestSchedule;
  logger: Logger;
  /** Where "now" comes from (tests drive it). */
  clock?: Clock;
}

const REASONS = new Set<string>([
  'brief_confirmed',
  'plan_approved',
  'task_done',
  'checkpoint_waiting',
  'project_complete',
  'scheduled',
]);

export class ProjectDigests {
  private readonly now: () => Date;

  constructor(private readonly options: ProjectDigestsOptions) {
    this.now = () => (options.clock ?? systemClock).now();
  }

  /**
   * Builds and sends the digest for `key` (`<reason>:<subject>`); false when the project is unknown or the
   * digest came too late to be worth sending. A project's digests are recorded one at a time, in the
   * order their jobs get the project's digest lease, and delivered in the order recorded
   * (handlers/notify/deliver-notices.ts). A digest whose turn comes after the project completed or was
   * cancelled is dropped: the completion digest already says everything, and nothing may follow it.
   */
  async send(projectId: string, key: string): Promise<boolean> {
    const prefix = key.split(':')[0] ?? '';
    const reason = (REASONS.has(prefix) ? prefix : 'scheduled') as DigestReason;
    return exclusively(this.options.store, `digest:${projectId}`, () => this.record(projectId, key, reason));
  }

  private async record(projectId: string, key: string, reason: DigestReason): Promise<boolean> {
    const { store } = this.options;
    const stored = await store.projects.get(projectId);
    if (!stored) return false;
    const finished = stored.status === 'completed' || stored.status === 'cancelled';
    if (finished && reason !== 'project_complete') {
      this.options.logger.info('status digest dropped: the project is finished', { projectId, key });
      return false;
    }
    // Spend as the ledger holds it, to the cent.
    const project = await withLedgerSpend(store, stored);
    const [tasks, checkpoints] = await Promise.all([
      store.tasks.listByProject(projectId),
      store.checkpoints.list({ projectId }),
    ]);
    const text = renderDigest({ project, tasks, checkpoints }, reason);
    const keys = await this.options.notices.send({
      effectId: `digest:${projectId}:${key}`,
      kind: 'digest',
      text,
      project,
    });
    this.options.logger.info('status digest recorded', { projectId, key, threads: keys.length });
    return true;
  }

  async schedule(): Promise<number> {
    const { store, schedule, jobs } = this.options;
    if (schedule.kind === 'off') return 0;
    const now = this.now();
    let due = 0;
    for (const project of await store.projects.list({
      status: ['planning', 'awaiting_approval', 'active', 'on_hold'],
    })) {
      const brief = await store.projects.getBrief(project.id);
      const owner = brief?.content.timezone ? null : await store.identities.get(project.ownerId);
      const timeZone = timeZoneOf(brief?.content.timezone ?? owner?.timezone);
      const key = dueDigestKey(schedule, now, timeZone);
      // None on the day the project was created: its milestone digests have just told everything.
      if (key === null || key === `scheduled:${localTime(project.createdAt, timeZone).date}`) continue;
      // One marker per project and day: a later check the same day finds it done and enqueues nothing.
      const marker = `digest.scheduled:${project.id}:${key}`;
      const recorded = await store.outbox.enqueue(marker, 'digest.scheduled', { projectId: project.id, key });
      if (recorded.entry.status === 'done') continue;
      await jobs.enqueue(NOTIFY_JOBS.projectDigest, { projectId: project.id, key });
      await store.outbox.complete(marker, { enqueued: true });
      due += 1;
    }
    return due;
  }
}
