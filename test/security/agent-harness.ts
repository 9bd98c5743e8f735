/**
 * A whole agent run on real peers, for the privileged-action tests: embedded PostgreSQL, real Agenda jobs,
 * the scripted LLM server behind the real OpenAI client, the local vault, the tool loop with the budget
 * gate and the privileged tools, and a logger whose every line is captured (through production redaction).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createLlmRouter } from '../../agents/llm/create-llm-router.js';
import { loadAgentManifests } from '../../agents/specialists/agent-manifest.js';
import { ToolLoopAgent } from '../../agents/specialists/tool-loop-agent.js';
import { privilegedTools } from '../../agents/tools/privileged-tools.js';
import { Workspaces } from '../../agents/workspace/project-workspace.js';
import { loadConfig } from '../../bot/config/load-config.js';
import { wireSlackCheckpointCards } from '../../bot/wiring/slack.js';
import type { Logger } from '../../common/logging/logger.js';
import { SecretRedactor } from '../../common/logging/redactor.js';
import type { JobQueue } from '../../ports/job-queue.js';
import { BudgetDecisions } from '../../orchestration/budget/budget-decisions.js';
import { BudgetGate } from '../../orchestration/budget/budget-gate.js';
import { DEFAULT_BUDGET_SETTINGS, type BudgetSettings } from '../../orchestration/budget/budget-settings.js';
import { spendGateway } from '../../orchestration/budget/spend-gateway.js';
import { checkpointGateway } from '../../orchestration/checkpoints/checkpoint-gateway.js';
import { DeferredJobQueue } from '../../orchestration/deferred-job-queue.js';
import { jobCatalogue } from '../../orchestration/jobs/job-catalogue.js';
import { createJobQueue } from '../../bot/wiring/job-queue.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import { Orchestrator } from '../../orchestration/orchestrator.js';
import type { Store } from '../../ports/store.js';
import { openVault } from '../../storage/vault/open-vault.js';
import type { Vault } from '../../ports/vault.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.js';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.js';
import { capturingLogger } from './privileged-support.js';

export interface AgentHarness {
  db: EmbeddedStore;
  store: Store;
  llm: FakeLlmServer;
  scheduler: AgendaJobQueue;
  vault: Vault;
  logger: Logger;
  /** Every log line written so far. */
  lines: string[];
  dataDir: string;
  budget: BudgetSettings;
  /** The recording Slack Web API the checkpoint cards go to, when asked for. */
  slack: FakeSlackApi | null;
  stop(): Promise<void>;
}

export interface AgentHarnessOptions {
  budget?: Partial<BudgetSettings>;
  /** Estimated cost of each model call shown to the budget gate. */
  estimateCallCost?: number;
  deployCommand?: string | null;
  /** Post checkpoint cards to a recording Slack Web API (`slack` on the harness). */
  slack?: boolean;
}

export async function startAgentHarness(options: AgentHarnessOptions = {}): Promise<AgentHarness> {
  const db = await startEmbeddedStore();
  const llm = await startFakeLlmServer();
  // The data directory (vault, project workspaces): removed by stop().
  const cwd = mkdtempSync(path.join(tmpdir(), 'olympus-agents-'));
  const config = loadConfig({
    env: {
      OPENAI_API_KEY: 'sk-test-harness-key',
      OPENAI_BASE_URL: llm.openaiBaseUrl,
      OLYMPUS_LLM_MAX_ATTEMPTS: '1',
    },
    cwd,
  });
  const redactor = new SecretRedactor(config.secrets);
  const { logger, lines } = capturingLogger(redactor);
  const store = db.store;
  const vault = await openVault(
    { dataDir: config.dataDir, masterKey: null, gcpProjectId: null },
    { logger, redactor },
  );
  const router = createLlmRouter({ config, store, logger });
  const jobs = new DeferredJobQueue();
  const budget = { ...DEFAULT_BUDGET_SETTINGS, ...options.budget };
  const checkpoints = checkpointGateway({ store, jobs });
  const agents = new ToolLoopAgent({
    store,
    checkpoints,
    router,
    workspaces: new Workspaces(config.dataDir),
    logger,
    spendGate: new BudgetGate({ store, jobs, settings: budget }),
    extraTools: privilegedTools({
      store,
      checkpoints,
      spend: spendGateway({ store, jobs, settings: budget }),
      vault,
      deploy: { command: options.deployCommand ?? null, timeoutMs: 30_000 },
    }),
    ...(options.estimateCallCost === undefined ? {} : { estimateCallCost: () => options.estimateCallCost! }),
  });
  const orchestrator = new Orchestrator({
    store,
    jobs,
    router,
    agents,
    manifests: loadAgentManifests(),
    logger,
    settings: { maxTaskAttempts: 2, taskLeaseMs: 60_000 },
    holder: 'test',
  });
  const slack = options.slack ? await startFakeSlackApi() : null;
  const checkpointCards = slack
    ? wireSlackCheckpointCards({
        settings: {
          botToken: 'xoxb-harness-token',
          signingSecret: null,
          apiUrl: slack.apiUrl,
          opsChannel: 'C0PS',
          toUsers: ['UTOHARNESS'],
          postIntervalMs: 0,
        },
        store,
        logger,
      })
    : undefined;
  const scheduler = createJobQueue({
    store,
    logger,
    settings: { processEvery: '1 second', maxConcurrency: 10, lockLimit: 10, lockLifetimeMs: 60_000 },
    shutdownTimeoutMs: 5000,
    catalogue: jobCatalogue({
      store,
      logger,
      orchestrator,
      budget: new BudgetDecisions({ store, jobs }),
      ...(checkpointCards ? { checkpointCards } : {}),
    }),
    work: true,
  });
  jobs.bind(scheduler);
  await scheduler.start();
  return {
    db,
    store,
    llm,
    scheduler,
    vault,
    logger,
    lines,
    dataDir: config.dataDir,
    budget,
    slack,
    async stop() {
      await scheduler.stop();
      await slack?.close();
      await vault.close();
      await llm.close();
      await db.teardown();
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

/** A job queue that holds what it is given until `release()`: lets a test act between a decision and its jobs. */
export class HeldJobs implements JobQueue {
  private readonly held: { name: string; payload: Record<string, unknown> | undefined }[] = [];
  constructor(private readonly target: JobQueue) {}

  enqueue(name: string, payload?: Record<string, unknown>): Promise<string> {
    this.held.push({ name, payload });
    return Promise.resolve(`held-${this.held.length}`);
  }

  async release(): Promise<void> {
    for (const job of this.held.splice(0)) await this.target.enqueue(job.name, job.payload);
  }
}
