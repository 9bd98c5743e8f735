/**
 * Every Agenda job Olympus runs, in one place. Features add their definitions here; the scheduler
 * registers exactly this list in worker processes.
 */
import { z } from 'zod';
import type { Logger } from '../../common/logging/logger.js';
import type { Store } from '../../storage/ports.js';
import { defineJob, type JobDefinition } from './job-definition.js';

export const JOB_NAMES = {
  auditVerify: 'audit.verify',
  checkpointCard: 'checkpoint.card',
  intakeRedrive: 'intake.redrive',
} as const;

export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

/** Brings a checkpoint's cards (Slack, …) in line with its current state, through the outbox. */
export interface CheckpointCardSync {
  sync(checkpointId: string): Promise<void>;
}

/** Answers client messages the intake could not answer at once (the language model was unavailable). */
export interface IntakeRedrive {
  /** Returns how many messages were answered. */
  redrive(): Promise<number>;
}

export interface JobDependencies {
  store: Store;
  logger: Logger;
  /** Where checkpoint cards live; without it `checkpoint.card` has nothing to do. */
  checkpointCards?: CheckpointCardSync;
  /** The intake handler; without it `intake.redrive` has nothing to do. */
  intake?: IntakeRedrive;
}

export function jobCatalogue(deps: JobDependencies): JobDefinition[] {
  return [
    defineJob({
      name: JOB_NAMES.auditVerify,
      description: 'Recomputes the audit hash chain and reports tampering.',
      schema: z.object({}).strict(),
      every: '1 hour',
      concurrency: 1,
      maxRetries: 3,
      async handler(_payload, context) {
        const result = await deps.store.audit.verify();
        if (result.ok) {
          context.logger.info('audit chain verified', { events: result.count });
          return;
        }
        context.logger.error('audit chain broken', { brokenAt: result.brokenAt, reason: result.reason });
        await context.fence.assertCurrent();
        await deps.store.audit.append({
          actor: 'system',
          action: 'audit.chain_broken',
          subjectType: 'audit',
          subjectId: String(result.brokenAt),
          data: { reason: result.reason, verifiedEvents: result.count },
        });
      },
    }),
    defineJob({
      name: JOB_NAMES.checkpointCard,
      description: "Posts or updates a checkpoint's card to show its current state (once per state).",
      schema: z.object({ checkpointId: z.uuid() }).strict(),
      maxRetries: 5,
      async handler(payload, context) {
        if (!deps.checkpointCards) {
          context.logger.debug('no card surface configured', { checkpointId: payload.checkpointId });
          return;
        }
        await deps.checkpointCards.sync(payload.checkpointId);
      },
    }),
    defineJob({
      name: JOB_NAMES.intakeRedrive,
      description:
        'Answers client messages whose intake turn was deferred (no language model could answer) or left unfinished by a crash.',
      schema: z.object({}).strict(),
      every: '1 minute',
      concurrency: 1,
      maxRetries: 0,
      async handler(_payload, context) {
        if (!deps.intake) return;
        const answered = await deps.intake.redrive();
        if (answered > 0) context.logger.info('deferred client messages answered', { answered });
      },
    }),
  ];
}
