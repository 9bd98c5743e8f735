/**
 * The orchestrator: the job side of planning, plan decisions and task runs (see the `orchestration.*`,
 * `project.plan`, `checkpoint.decided` and `task.run.<role>` jobs in jobs/job-catalogue.ts), plus the sweep
 * that re-drives anything a crash or a lost enqueue left behind.
 */
import type { AgentRole } from '../ports/store.js';
import { type OrchestratorJobs } from './jobs/job-catalogue.js';
import { JOB_NAMES, taskRunJob } from '../ports/job-queue.js';
import type { JobContext } from './jobs/job-definition.js';
import type { OrchestratorDeps } from './orchestrator-deps.js';
import { onCheckpointDecided } from './plan-decision.js';
import { planProject } from './plan-project.js';
import { runTask } from './run-task.js';
import { advanceProject } from './task-readiness.js';

/** A ready task untouched this long had its job lost; the sweep enqueues it again. */
const STALE_READY_MS = 2 * 60_000;

export class Orchestrator implements OrchestratorJobs {
  constructor(private readonly deps: OrchestratorDeps) {}

  get taskRetries(): number {
    return this.deps.settings.maxTaskAttempts + 1;
  }

  concurrency(role: AgentRole): number {
    return this.deps.manifests[role].limits.concurrency;
  }

  /** Starts planning a project handed off by the intake (enqueues `project.plan`). */
  async startPlanning(projectId: string): Promise<void> {
    await this.deps.jobs.enqueue(JOB_NAMES.projectPlan, { projectId });
  }

  planProject(projectId: string, context: JobContext): Promise<void> {
    return planProject(this.deps, projectId, context.signal);
  }

  checkpointDecided(checkpointId: string): Promise<void> {
    return onCheckpointDecided(this.deps, checkpointId);
  }

  runTask(taskId: string, context: JobContext): Promise<void> {
    return runTask(this.deps, taskId, {
      holder: `${this.deps.holder}:${context.jobId}`,
      signal: context.signal,
    });
  }

  resumeTask(taskId: string, checkpointId: string, context: JobContext): Promise<void> {
    return runTask(this.deps, taskId, {
      holder: `${this.deps.holder}:${context.jobId}`,
      signal: context.signal,
      resumeFrom: checkpointId,
    });
  }

  advance(projectId: string): Promise<void> {
    return advanceProject(this.deps, projectId);
  }

  async sweep(context: JobContext): Promise<void> {
    const { store } = this.deps;
    const projects = await store.projects.list({ status: ['planning', 'awaiting_approval', 'active'] });
    for (const project of projects) {
      if (context.signal.aborted) return;
      if (project.status === 'planning') {
        await this.startPlanning(project.id);
      } else if (project.status === 'awaiting_approval') {
        const reviews = await store.checkpoints.list({
          projectId: project.id,
          status: ['approved', 'modified', 'rejected'],
        });
        for (const review of reviews.filter((checkpoint) => checkpoint.kind === 'plan_review'))
          await onCheckpointDecided(this.deps, review.id);
      } else {
        await advanceProject(this.deps, project.id);
        const stale = Date.now() - STALE_READY_MS;
        const now = Date.now();
        for (const task of await store.tasks.listByProject(project.id)) {
          const lapsed = task.status === 'running' && (task.leaseExpiresAt?.getTime() ?? 0) < now;
          if ((task.status === 'ready' && task.updatedAt.getTime() < stale) || lapsed)
            await this.deps.jobs.enqueue(taskRunJob(task.role), { taskId: task.id });
          if (task.status === 'waiting_checkpoint') await this.resumeIfDecided(task.id);
        }
      }
    }
  }

  /** A parked task whose checkpoint was decided but whose resume job was lost is resumed. */
  private async resumeIfDecided(taskId: string): Promise<void> {
    const waitingOn = (await this.deps.store.tasks.getProgress(taskId))?.waitingOn;
    if (!waitingOn) return;
    const checkpoint = await this.deps.store.checkpoints.get(waitingOn);
    if (checkpoint && checkpoint.status !== 'pending')
      await this.deps.jobs.enqueue(JOB_NAMES.taskResume, { taskId, checkpointId: waitingOn });
  }
}
