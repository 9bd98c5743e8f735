/** What the orchestrator is built from (wired in bot/main.ts; tests pass real peers). */
import type { AgentManifests } from '../agents/specialists/agent-manifest.js';
import type { AgentRunner } from '../agents/specialists/agent-step.js';
import type { LlmRouter } from '../agents/llm/index.js';
import type { Workspaces } from '../agents/workspace/project-workspace.js';
import type { Logger } from '../common/logging/logger.js';
import type { SecretRedactor } from '../common/logging/redactor.js';
import type { JobQueue } from '../ports/job-queue.js';
import type { Store } from '../ports/store.js';

export interface OrchestratorSettings {
  /** Attempts of one task before a `question` checkpoint asks a TO to retry, skip or cancel. */
  maxTaskAttempts: number;
  /** Lease of a running task attempt; renewed while it runs, taken over after it lapses. */
  taskLeaseMs: number;
  /** Model calls one planning round may spend (ledger entries, repairs included); default 6. */
  maxPlanCalls?: number;
  /** Failed attempts of one planning round before it stops for a TO; default 3. */
  maxPlanAttempts?: number;
  /** Model calls one task may spend before it stops for a TO (counted from its last retry); default 60. */
  maxTaskCalls?: number;
}

export const DEFAULT_PLAN_CALLS = 6;
export const DEFAULT_PLAN_ATTEMPTS = 3;
export const DEFAULT_TASK_CALLS = 60;

export const DEFAULT_ORCHESTRATOR_SETTINGS: OrchestratorSettings = {
  maxTaskAttempts: 3,
  taskLeaseMs: 600_000,
  maxPlanCalls: DEFAULT_PLAN_CALLS,
  maxPlanAttempts: DEFAULT_PLAN_ATTEMPTS,
  maxTaskCalls: DEFAULT_TASK_CALLS,
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
  /** Removes secrets from model answers shown on checkpoints; default: well-known token shapes only. */
  redactor?: SecretRedactor;
  /**
   * The project workspaces: the completion notice lists what each task delivered and sends the workspace.
   * Without it, the notice lists the tasks only.
   */
  workspaces?: Workspaces;
}

/** Actor name of the orchestrator in the audit log and on checkpoints. */
export const ORCHESTRATOR = 'orchestrator';
