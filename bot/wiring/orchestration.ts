/**
 * The work side: the LLM router, the deferred job queue every use case enqueues through, client notices
 * and digests, and the orchestrator with its agents and their tools.
 */
import { hostname } from 'node:os';
import { loadAgentManifests } from '../../agents/specialists/agent-manifest.js';
import { ToolLoopAgent } from '../../agents/specialists/tool-loop-agent.js';
import { privilegedTools } from '../../agents/tools/privileged-tools.js';
import { Workspaces } from '../../agents/workspace/project-workspace.js';
import { createLlmRouter } from '../../agents/llm/create-llm-router.js';
import type { LlmRouter } from '../../agents/llm/llm-router.js';
import { NoticeDelivery } from '../../handlers/notify/deliver-notices.js';
import { NotifierRegistry } from '../../handlers/notify/notifier-registry.js';
import {
  budgetSettings,
  credentialLeaseMinutes,
  deploySettings,
} from '../../orchestration/budget/budget-config.js';
import { BudgetGate } from '../../orchestration/budget/budget-gate.js';
import { spendGateway } from '../../orchestration/budget/spend-gateway.js';
import { checkpointGateway } from '../../orchestration/checkpoints/checkpoint-gateway.js';
import { DeferredJobQueue } from '../../orchestration/deferred-job-queue.js';
import { parseDigestSchedule } from '../../orchestration/digest/digest-schedule.js';
import { ProjectDigests } from '../../orchestration/digest/project-digests.js';
import { workspaceNoticeFiles } from '../../orchestration/deliverables/workspace-files.js';
import { ClientNotices } from '../../orchestration/notices/client-notices.js';
import { Orchestrator } from '../../orchestration/orchestrator.js';
import { DEFAULT_PLAN_CALLS, DEFAULT_TASK_CALLS } from '../../orchestration/orchestrator-deps.js';
import { agentShellSettings } from '../../orchestration/orchestrator-settings.js';
import type { Core } from './core.js';
import type { Wiring } from './lifecycle.js';

export interface Work {
  router: LlmRouter;
  /** Bound to the scheduler once it exists; enqueues wait for it. */
  jobQueue: DeferredJobQueue;
  notifiers: NotifierRegistry;
  noticeDelivery: NoticeDelivery;
  digests: ProjectDigests;
  orchestrator: Orchestrator;
}

export function wireWork({ config, logger, redactor }: Wiring, { store, vault }: Core): Work {
  // No I/O here: providers connect on their first call. Workers need the intake too (intake.redrive).
  const router = createLlmRouter({ config, store, logger: logger.child({ component: 'llm' }) });
  // The orchestrator enqueues through the scheduler, whose catalogue holds the orchestrator's jobs.
  const jobQueue = new DeferredJobQueue();
  // Client notices and digests: recorded in the outbox, delivered by the notifier of each thread's surface.
  const notifiers = new NotifierRegistry();
  const noticeLogger = logger.child({ component: 'notices' });
  const workspaces = new Workspaces(config.dataDir);
  const notices = new ClientNotices({ store, jobs: jobQueue, logger: noticeLogger });
  const noticeDelivery = new NoticeDelivery({
    store,
    notifiers,
    logger: noticeLogger,
    holder: `${hostname()}:${process.pid}`,
    // A completed project's notice carries its workspace archive.
    files: workspaceNoticeFiles({ store, workspaces, logger: noticeLogger }),
  });
  const digests = new ProjectDigests({
    store,
    notices,
    jobs: jobQueue,
    schedule: parseDigestSchedule(config.digestSchedule),
    logger: noticeLogger,
  });
  const budget = budgetSettings(config.resolved);
  // Agent tools reach checkpoints and the spend rule only through these gateways.
  const checkpoints = checkpointGateway({ store, jobs: jobQueue });
  const orchestrator = new Orchestrator({
    store,
    jobs: jobQueue,
    router,
    agents: new ToolLoopAgent({
      store,
      checkpoints,
      router,
      workspaces,
      logger: logger.child({ component: 'agents' }),
      shell: agentShellSettings(config.resolved),
      spendGate: new BudgetGate({ store, jobs: jobQueue, settings: budget }),
      extraTools: privilegedTools({
        store,
        checkpoints,
        spend: spendGateway({ store, jobs: jobQueue, settings: budget }),
        vault,
        deploy: deploySettings(config.resolved),
        leaseMinutes: credentialLeaseMinutes(config.resolved),
      }),
    }),
    manifests: loadAgentManifests(),
    logger: logger.child({ component: 'orchestrator' }),
    settings: {
      maxTaskAttempts: 3,
      taskLeaseMs: config.jobs.lockLifetimeMs,
      maxPlanCalls: Number(config.resolved.get('OLYMPUS_PLAN_MAX_MODEL_CALLS')?.value ?? DEFAULT_PLAN_CALLS),
      maxTaskCalls: Number(config.resolved.get('OLYMPUS_TASK_MAX_MODEL_CALLS')?.value ?? DEFAULT_TASK_CALLS),
    },
    holder: `${hostname()}:${process.pid}`,
    // Model answers shown on failure questions lose every secret the process knows of.
    redactor,
    workspaces,
  });
  return { router, jobQueue, notifiers, noticeDelivery, digests, orchestrator };
}
