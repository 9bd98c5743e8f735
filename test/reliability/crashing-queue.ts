/**
 * A job queue that dies at a named step: armed with a job name, the next enqueue of that job throws as
 * if the process had crashed right before it, after everything earlier was stored, and so does every
 * enqueue after it (the process is gone) until `revive()` (the restart). Before the crash every enqueue
 * goes to the real scheduler.
 */
import { OlympusError } from '../../common/errors.js';
import type { JobQueue } from '../../ports/job-queue.js';

export class CrashingQueue implements JobQueue {
  private armed: string | null = null;
  private dead = false;
  readonly crashes: string[] = [];

  constructor(private readonly inner: JobQueue) {}

  /** The next enqueue of `jobName` crashes. */
  crashBefore(jobName: string): void {
    this.armed = jobName;
  }

  /** The process is back. */
  revive(): void {
    this.dead = false;
  }

  async enqueue(name: string, payload?: Record<string, unknown>): Promise<string> {
    if (this.armed === name) {
      this.armed = null;
      this.dead = true;
      this.crashes.push(name);
    }
    if (this.dead) throw new OlympusError('INTERNAL', `injected crash before enqueuing ${name}`);
    return this.inner.enqueue(name, payload);
  }
}
