/**
 * Job-queue port: what use cases and orchestration need of the durable job scheduler — enqueue a job
 * by name with its payload — and what a queue adapter needs of a job to run it (`RunnableJob`). The
 * names of every job Olympus runs live here, so a caller and the job that handles it agree by type. The
 * Agenda adapter (`storage/agenda/`) implements it; the job definitions (handlers, schemas, retries,
 * fencing) are in `orchestration/jobs/`, which turns them into runnable jobs.
 */
import type { AgentRole } from './domain.js';

export const JOB_NAMES = {
  auditVerify: 'audit.verify',
  checkpointCard: 'checkpoint.card',
  checkpointRemind: 'checkpoint.remind',
  intakeRedrive: 'intake.redrive',
  projectPlan: 'project.plan',
  checkpointDecided: 'checkpoint.decided',
  orchestrationSweep: 'orchestration.sweep',
  taskRunApollo: 'task.run.apollo',
  taskRunAphrodite: 'task.run.aphrodite',
  taskRunAthena: 'task.run.athena',
  taskRunHephaestus: 'task.run.hephaestus',
  taskResume: 'task.resume',
  clientNotify: 'client.notify',
  clientNotifySweep: 'client.notify.sweep',
  projectDigest: 'project.digest',
  projectDigestSchedule: 'project.digest.schedule',
} as const;

/** The notice and digest jobs (a subset of JOB_NAMES, kept for readability where only these matter). */
export const NOTIFY_JOBS = {
  clientNotify: JOB_NAMES.clientNotify,
  clientNotifySweep: JOB_NAMES.clientNotifySweep,
  projectDigest: JOB_NAMES.projectDigest,
  projectDigestSchedule: JOB_NAMES.projectDigestSchedule,
} as const;

export type JobName = (typeof JOB_NAMES)[keyof typeof JOB_NAMES];

/** The job that runs a task of this role (one job name per role, so each role has its own concurrency). */
export function taskRunJob(role: AgentRole): JobName {
  return `task.run.${role}`;
}

export interface JobQueue {
  /**
   * Schedules the job to run now; resolves with the job's id once it is stored. The payload is validated
   * against the job's schema (VALIDATION on a mismatch); SCHEDULER_UNAVAILABLE (retryable) when the
   * queue is not running.
   */
  enqueue(name: string, payload?: Record<string, unknown>): Promise<string>;
}

/** What a queue tells one attempt of a job it runs. */
export interface JobAttempt {
  /** The job's id in the queue (the same for every attempt of one enqueued job). */
  readonly jobId: string;
  /** 0 on the first run, then the number of earlier failures. */
  readonly attempt: number;
  /** The worker running the attempt (its name in locks and leases). */
  readonly worker: string;
  /** How long the queue's lock on the job lasts without a `touch()`; another worker may then take it. */
  readonly lockLifetimeMs: number;
  /** Aborted when the worker stops and the shutdown timeout leaves no time to finish. */
  readonly stopping: AbortSignal;
  /** Renews the queue's lock on the job (a heartbeat while the attempt runs). */
  touch(): Promise<void>;
  /**
   * Registers what to undo when the queue gives up on this attempt at shutdown (after `stopping` was
   * aborted and the attempt still did not end), e.g. giving back a fencing lease so a peer takes the job
   * at once. Not called for attempts that end by themselves.
   */
  onAbandon(cleanup: () => Promise<unknown>): void;
}

/** The answer of `RunnableJob.validate`. */
export type PayloadCheck = { ok: true; payload: Record<string, unknown> } | { ok: false; problem: string };

/** A job as a queue adapter registers and runs it. */
export interface RunnableJob {
  readonly name: string;
  /** Attempts of this job one worker runs at once (default: the adapter's). */
  readonly concurrency?: number;
  /** Lock lifetime of this job's attempts (default: the queue's setting). */
  readonly lockLifetimeMs?: number;
  /** Retries after a retryable failure, with exponential backoff (default 3). */
  readonly maxRetries?: number;
  /** Recurring schedule (e.g. "1 hour"): working queues keep one occurrence scheduled per deployment. */
  readonly every?: string;
  /** Checks a payload before it is enqueued; the payload it returns is the one stored. */
  validate(payload: Record<string, unknown>): PayloadCheck;
  /**
   * Runs one attempt with the stored payload. A rejection whose error has `retryable: false` is final;
   * any other is retried with backoff up to `maxRetries`.
   */
  run(payload: unknown, attempt: JobAttempt): Promise<void>;
}
