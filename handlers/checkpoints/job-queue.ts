/** What a use case needs of the job scheduler: enqueue a job by name (JobScheduler satisfies it). */
export interface JobQueue {
  enqueue(name: string, payload?: Record<string, unknown>): Promise<string>;
}
