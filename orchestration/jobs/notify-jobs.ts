/**
 * The notice and digest jobs: `client.notify` delivers one recorded notice (after the ones recorded
 * before it on its thread), `client.notify.sweep`
 * delivers whatever is still pending (lost enqueues, surfaces that were down), `project.digest` builds
 * and sends one status digest, and `project.digest.schedule` enqueues the scheduled digests that are due.
 */
import { z } from 'zod';
import { OlympusError } from '../../common/errors.js';
import { defineJob, type JobDefinition } from './job-definition.js';
import { NOTIFY_JOBS } from '../../ports/job-queue.js';

/** Notice delivery (NoticeDelivery satisfies it). */
export interface NoticeJobs {
  deliver(key: string): Promise<string>;
  sweep(): Promise<number>;
}

/** Status digests (ProjectDigests satisfies it). */
export interface DigestJobs {
  send(projectId: string, key: string): Promise<unknown>;
  /** Enqueues the scheduled digests due now; returns how many. */
  schedule(): Promise<number>;
}

export interface NotifyJobDependencies {
  notices?: NoticeJobs;
  digests?: DigestJobs;
}

export const DIGEST_KEY = /^[a-z_]+(:[\w.-]+)*$/;

export function notifyJobs(deps: NotifyJobDependencies): JobDefinition[] {
  return [
    defineJob({
      name: NOTIFY_JOBS.clientNotify,
      description: 'Delivers one recorded client notice to its thread, once.',
      schema: z.object({ key: z.string().min(1).max(500) }).strict(),
      concurrency: 5,
      maxRetries: 5,
      async handler(payload, context) {
        const outcome = await deps.notices?.deliver(payload.key);
        // `busy`: another delivery holds the notice's thread (they go out in order): try again shortly.
        if (outcome === 'failed' || outcome === 'busy') {
          throw new OlympusError('SURFACE_UNAVAILABLE', `notice ${payload.key} not delivered yet`, {
            retryable: true,
          });
        }
        context.logger.debug('client notice job', { key: payload.key, outcome: outcome ?? 'no delivery' });
      },
    }),
    defineJob({
      name: NOTIFY_JOBS.clientNotifySweep,
      description: 'Delivers client notices still pending (a lost job, a surface that was down).',
      schema: z.object({}).strict(),
      every: '30 seconds',
      concurrency: 1,
      maxRetries: 0,
      async handler(_payload, context) {
        const delivered = (await deps.notices?.sweep()) ?? 0;
        if (delivered > 0) context.logger.info('pending client notices delivered', { delivered });
      },
    }),
    defineJob({
      name: NOTIFY_JOBS.projectDigest,
      description:
        "Builds a project's status digest from stored state and sends it to its threads (once per key).",
      schema: z.object({ projectId: z.uuid(), key: z.string().regex(DIGEST_KEY).max(200) }).strict(),
      concurrency: 2,
      maxRetries: 5,
      async handler(payload) {
        await deps.digests?.send(payload.projectId, payload.key);
      },
    }),
    defineJob({
      name: NOTIFY_JOBS.projectDigestSchedule,
      description: "Enqueues each project's scheduled digest when it is due in the client's time zone.",
      schema: z.object({}).strict(),
      every: '5 minutes',
      concurrency: 1,
      maxRetries: 0,
      async handler(_payload, context) {
        const due = (await deps.digests?.schedule()) ?? 0;
        if (due > 0) context.logger.info('scheduled digests enqueued', { due });
      },
    }),
  ];
}
