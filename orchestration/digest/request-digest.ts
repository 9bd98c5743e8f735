/**
 * The milestone hook: orchestration and intake call `requestDigest` where a milestone happens (brief
 * confirmed, plan approved, task done, checkpoint waiting, project complete). It enqueues the
 * `project.digest` job under a key naming the milestone and its subject, so the digest is sent once even
 * when the step that reached the milestone runs again. It never throws: a digest is not worth failing the
 * step for (the log says when one could not be enqueued).
 */
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { JobQueue } from '../../ports/job-queue.js';
import { NOTIFY_JOBS } from '../../ports/job-queue.js';
import type { DigestReason } from './digest-text.js';

export type Milestone = Exclude<DigestReason, 'scheduled'>;

export async function requestDigest(
  deps: { jobs: JobQueue; logger?: Logger },
  projectId: string,
  milestone: Milestone,
  subjectId: string = projectId,
): Promise<void> {
  try {
    await deps.jobs.enqueue(NOTIFY_JOBS.projectDigest, { projectId, key: `${milestone}:${subjectId}` });
  } catch (error) {
    deps.logger?.warn('status digest not enqueued', { projectId, milestone, error: errorMessage(error) });
  }
}
