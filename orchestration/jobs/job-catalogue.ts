/**
 * Every Agenda job Olympus runs, in one place. Features add their definitions here; the scheduler
 * registers exactly this list in worker processes.
 */
import { z } from 'zod';
import type { Logger } from '../../common/logging/logger.js';
import type { AgentRole, Store } from '../../storage/ports.js';
import { defineJob, type JobContext, type JobDefinition } from './job-definition.js';

export const JOB_NAMES = {
  auditVerify: 'audit.verify',
  checkpointCard: 'checkpoint.card',
  intakeRedrive: 'intake.redrive',
  projectPlan: 'project.plan',
  checkpointDecided: 'checkpoint.decided',
  orchestrationSweep: 'orchestration.sweep',
  taskRunApollo: 'task.run.apollo',
  taskRunAphrodite: 'task.run.aphrodite',
  taskRunAthena: 'task.run.athena',
  taskRunHephaestus: 'task.run.hephaestus',
} as const;

/** The job that runs a task of this role (one job name per role, so each role has its own concurrency). */
export function taskRunJob(role: AgentRole): JobName {
  return `task.run.${role}`;
}

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

/** The orchestrator's side of its jobs (orchestration/orchestrator.ts). */
export interface OrchestratorJobs {
  planProject(projectId: string, context: JobContext): Promise<void>;
  checkpointDecided(checkpointId: string, context: JobContext): Promise<void>;
  runTask(taskId: string, context: JobContext): Promise<void>;
  sweep(context: JobContext): Promise<void>;
  /** Tasks of this role one worker runs at once. */
  concurrency(role: AgentRole): number;
  /** Job retries of a task run (each retry is a new task attempt, with backoff). */
  readonly taskRetries: number;
}

export interface JobDependencies {
  store: Store;
  logger: Logger;
  /** Where checkpoint cards live; without it `checkpoint.card` has nothing to do. */
  checkpointCards?: CheckpointCardSync;
  /** The intake handler; without it `intake.redrive` has nothing to do. */
  intake?: IntakeRedrive;
  /** Plans projects and runs their tasks; without it the orchestration jobs have nothing to do. */
  orchestrator?: OrchestratorJobs;
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
    ...orchestrationJobs(deps),
  ];
}

const TASK_ROLES: AgentRole[] = ['apollo', 'aphrodite', 'athena', 'hephaestus'];

function orchestrationJobs(deps: JobDependencies): JobDefinition[] {
  const orchestrator = deps.orchestrator;
  return [
    defineJob({
      name: JOB_NAMES.projectPlan,
      description: 'Decomposes a project brief into a task plan and opens its plan_review checkpoint.',
      schema: z.object({ projectId: z.uuid() }).strict(),
      concurrency: 2,
      maxRetries: 5,
      async handler(payload, context) {
        await orchestrator?.planProject(payload.projectId, context);
      },
    }),
    defineJob({
      name: JOB_NAMES.checkpointDecided,
      description:
        'Carries out what a checkpoint decision means for the project (plan approval, task retry…).',
      schema: z.object({ checkpointId: z.uuid() }).strict(),
      maxRetries: 5,
      async handler(payload, context) {
        await orchestrator?.checkpointDecided(payload.checkpointId, context);
      },
    }),
    defineJob({
      name: JOB_NAMES.orchestrationSweep,
      description:
        'Safety net: plans projects left in planning, applies decided plans, dispatches ready tasks whose job was lost.',
      schema: z.object({}).strict(),
      every: '1 minute',
      concurrency: 1,
      maxRetries: 0,
      async handler(_payload, context) {
        await orchestrator?.sweep(context);
      },
    }),
    ...TASK_ROLES.map((role) =>
      defineJob({
        name: taskRunJob(role),
        description: `Runs one attempt of a ${role} task (claimed with a fence; retried with backoff).`,
        schema: z.object({ taskId: z.uuid() }).strict(),
        concurrency: orchestrator?.concurrency(role) ?? 1,
        maxRetries: orchestrator?.taskRetries ?? 2,
        async handler(payload, context) {
          await orchestrator?.runTask(payload.taskId, context);
        },
      }),
    ),
  ];
}
