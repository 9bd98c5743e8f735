/** What the orchestrator is built from (wired in bot/main.ts; tests pass real peers). */
import type { AgentManifests } from '../agents/specialists/agent-manifest.js';
import type { AgentRunner } from '../agents/specialists/agent-step.js';
import type { LlmRouter } from '../agents/llm/index.js';
import type { Logger } from '../common/logging/logger.js';
import type { JobQueue } from '../ports/job-queue.js';
import type { Store } from '../ports/store.js';

export interface OrchestratorSettings {
  /** Attempts of one task before a `question` checkpoint asks a TO to retry, skip or cancel. */
  maxTaskAttempts: number;
  /** Lease of a running task attempt; renewed while it runs, taken over after it lapses. */
  taskLeaseMs: number;
}

export const DEFAULT_ORCHESTRATOR_SETTINGS: OrchestratorSettings = {
  maxTaskAttempts: 3,
  taskLeaseMs: 600_000,
};

export interface OrchestratorDeps {
  store: Store;
  jobs: JobQueue;
  router: LlmRouter;
  agents: AgentRunner;
  manifests: AgentManifests;
  logger: Logger;
  settings: OrchestratorSettings;
  /** Identifies this process in leases. */
  holder: string;
}

/** Actor name of the orchestrator in the audit log and on checkpoints. */
export const ORCHESTRATOR = 'orchestrator';
