/**
 * Every Agenda job Olympus runs, in one place. Features add their definitions here; the scheduler
 * registers exactly this list in worker processes.
 */
import { z } from 'zod';
import type { Logger } from '../../common/logging/logger.js';
import type { AgentRole, Store } from '../../ports/store.js';
import { defineJob, type JobContext, type JobDefinition } from './job-definition.js';
import { JOB_NAMES, taskRunJob } from '../../ports/job-queue.js';
import { notifyJobs, type NotifyJobDependencies } from './notify-jobs.js';

/** Brings a checkpoint's cards (Slack, …) in line with its current state, through the outbox. */
export interface CheckpointCardSync {
  sync(checkpointId: string): Promise<void>;
}

/** Reminds, escalates and expires checkpoints that wait too long (each step once). */
export interface CheckpointReminders {
  /** How often the sweep runs (e.g. "1 minute"). */
  readonly every: string;
  /** Takes every due step of every pending checkpoint; returns how many steps were taken. */
  sweep(): Promise<number>;
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
  /** Continues a task parked on a checkpoint, with the decision as the waiting tool call's answer. */
  resumeTask(taskId: string, checkpointId: string, context: JobContext): Promise<void>;
  sweep(context: JobContext): Promise<void>;
  /** Tasks of this role one worker runs at once. */
  concurrency(role: AgentRole): number;
  /** Job retries of a task run (each retry is a new task attempt, with backoff). */
  readonly taskRetries: number;
}

export interface JobDependencies extends NotifyJobDependencies {
  store: Store;
  logger: Logger;
  /** Where checkpoint cards live; without it `checkpoint.card` has nothing to do. */
  checkpointCards?: CheckpointCardSync;
  /** Reminders, escalation and expiry of pending checkpoints; without it `checkpoint.remind` does nothing. */
  checkpointReminders?: CheckpointReminders;
  /** The intake handler; without it `intake.redrive` has nothing to do. */
  intake?: IntakeRedrive;
  /** Plans projects and runs their tasks; without it the orchestration jobs have nothing to do. */
  orchestrator?: OrchestratorJobs;
  /**
   * Spend checkpoints' effects on the project (budget pause, audit): run before the orchestrator's in
   * `checkpoint.decided`, and before the task continues in `task.resume`.
   */
  budget?: BudgetDecisionJobs;
}

/**
 * What a decided `spend` checkpoint means for its project (orchestration/budget/budget-decisions.ts).
 * Idempotent: both jobs that can carry a decision run it, and each may run more than once.
 */
export interface BudgetDecisionJobs {
  checkpointDecided(checkpointId: string): Promise<void>;
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
      // The sync holds the card's own lease and sends every post and update once through the outbox.
      fencing: 'handler',
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
      name: JOB_NAMES.checkpointRemind,
      description:
        'Reminds TOs of a waiting checkpoint, then mentions the escalation group, then expires it (each once).',
      schema: z.object({}).strict(),
      every: deps.checkpointReminders?.every ?? '1 minute',
      concurrency: 1,
      maxRetries: 0,
      async handler(_payload, context) {
        if (!deps.checkpointReminders) return;
        const steps = await deps.checkpointReminders.sweep();
        if (steps > 0) context.logger.info('checkpoint reminder steps taken', { steps });
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
    ...notifyJobs(deps),
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
        'Carries out what a checkpoint decision means for the project (plan approval, budget change, task retry…) when no parked task waits on it.',
      schema: z.object({ checkpointId: z.uuid() }).strict(),
      maxRetries: 5,
      async handler(payload, context) {
        await deps.budget?.checkpointDecided(payload.checkpointId);
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
    defineJob({
      name: JOB_NAMES.taskResume,
      description:
        "Applies a checkpoint decision's budget effects, then continues the task that waited on it from its stored state, with the decision as the tool's answer.",
      schema: z.object({ taskId: z.uuid(), checkpointId: z.uuid() }).strict(),
      // Claiming the parked task is the fence: no job lease before the handler.
      fencing: 'handler',
      concurrency: 4,
      maxRetries: orchestrator?.taskRetries ?? 2,
      async handler(payload, context) {
        // A decision on a parked task's checkpoint comes straight here (one job hop from the press), so
        // what `checkpoint.decided` would do for it happens first: a budget pause must end before the
        // task can run again.
        await deps.budget?.checkpointDecided(payload.checkpointId);
        await orchestrator?.resumeTask(payload.taskId, payload.checkpointId, context);
      },
    }),
    ...TASK_ROLES.map((role) =>
      defineJob({
        name: taskRunJob(role),
        description: `Runs one attempt of a ${role} task (claimed with a fence; retried with backoff).`,
        schema: z.object({ taskId: z.uuid() }).strict(),
        // The task claim is the fence (tasks.finish checks its token): no job lease before the handler.
        fencing: 'handler',
        concurrency: orchestrator?.concurrency(role) ?? 1,
        maxRetries: orchestrator?.taskRetries ?? 2,
        async handler(payload, context) {
          await orchestrator?.runTask(payload.taskId, context);
        },
      }),
    ),
  ];
}
