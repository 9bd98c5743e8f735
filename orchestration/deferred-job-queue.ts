/**
 * A job queue bound after construction: the orchestrator enqueues jobs through the scheduler, and the
 * scheduler's catalogue needs the orchestrator, so the composition root binds the scheduler afterwards.
 */
import { OlympusError } from '../common/errors.js';
import type { JobQueue } from '../ports/job-queue.js';

export class DeferredJobQueue implements JobQueue {
  private target: JobQueue | null = null;

  bind(target: JobQueue): void {
    this.target = target;
  }

  enqueue(name: string, payload?: Record<string, unknown>): Promise<string> {
    if (!this.target) {
      return Promise.reject(
        new OlympusError('SCHEDULER_UNAVAILABLE', 'the job queue is not bound yet', { retryable: true }),
      );
    }
    return this.target.enqueue(name, payload);
  }
}
