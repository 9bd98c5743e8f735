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
} as const;

export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

export interface JobDependencies {
  store: Store;
  logger: Logger;
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
  ];
}
