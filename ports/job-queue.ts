/**
 * Job-queue port: what use cases and orchestration need of the durable job scheduler — enqueue a job
 * by name with its payload. The names and payload shapes of every job Olympus runs live here, so a
 * caller and the job that handles it agree by type. The Agenda adapter (`jobs/agenda/`) implements it;
 * the job definitions (handlers, schemas, retries) are in `orchestration/jobs/job-catalogue.ts`.
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
