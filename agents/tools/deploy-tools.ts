/**
 * `request_deploy` (Hephaestus): writes the infrastructure plan into the project's workspace — the
 * manifests under `deploy/manifests/`, `deploy/plan.diff` against the last plan a TO approved, and
 * `deploy/plan.json` with the estimated monthly cost — commits it, and opens a `deploy` checkpoint that
 * shows the TO the manifests' hashes, the diff and the cost. The agent waits. On approval the plan becomes
 * the approved one (`deploy/approved-plan.json`) and the configured deploy command runs once, through the
 * outbox (OLYMPUS_DEPLOY_COMMAND, in the workspace, with a time limit and no secrets in its environment);
 * with no command configured, the answer tells the agent that a TO deploys and marks the task done.
 * A rejected deploy checkpoint cancels the task (the loop does that).
 */
import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { OlympusError } from '../../common/errors.js';
import type { CheckpointGateway } from '../../ports/agent-gateways.js';
import type { Checkpoint, Store } from '../../ports/store.js';
import type { ProjectWorkspace } from '../workspace/project-workspace.js';
import type { AgentTool, ToolContext } from './agent-tool.js';
import { planDiff } from './plan-diff.js';
import { runShell } from './shell-tool.js';

export interface DeploySettings {
  /** Shell command run in the workspace after a TO approves a deploy; null: a TO deploys by hand. */
  command: string | null;
  timeoutMs: number;
}

export const DEFAULT_DEPLOY_TIMEOUT_MS = 15 * 60_000;

export interface DeployToolDeps {
  store: Store;
  checkpoints: CheckpointGateway;
  workspace: ProjectWorkspace;
  settings: DeploySettings;
}

const MANIFEST_DIR = 'deploy/manifests';
const APPROVED_PLAN = 'deploy/approved-plan.json';
const MAX_DIFF_CHARS = 12_000;

const ManifestPath = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9._/-]+$/, 'letters, digits, ".", "_", "-" and "/"')
  .refine(
    (value) => !value.split('/').some((part) => part === '..' || part === ''),
    'no ".." or empty parts',
  );

export const RequestDeployArgs = z
  .object({
    environment: z
      .string()
      .trim()
      .min(1)
      .max(40)
      .regex(/^[a-z0-9_-]+$/)
      .describe('e.g. "production"'),
    summary: z.string().trim().min(1).max(2000).describe('what the deploy changes, for the operator'),
    manifests: z
      .array(z.object({ path: ManifestPath, content: z.string().max(200_000) }).strict())
      .min(1)
      .max(30)
      .describe(`infrastructure files, written under ${MANIFEST_DIR}/`),
    monthlyCost: z
      .number()
      .min(0)
      .max(10_000_000)
      .describe("estimated monthly cost in the budget's currency"),
  })
  .strict();
export type RequestDeployArgs = z.infer<typeof RequestDeployArgs>;

const ApprovedPlanSchema = z.object({
  checkpointId: z.string(),
  manifests: z.record(z.string(), z.string()),
});

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function author(context: Pick<ToolContext, 'task'>) {
  const role = context.task.role;
  return { name: role.charAt(0).toUpperCase() + role.slice(1), email: `${role}@agents.olympus.local` };
}

async function approvedManifests(workspace: ProjectWorkspace): Promise<Record<string, string>> {
  try {
    const file = await workspace.read(APPROVED_PLAN);
    return ApprovedPlanSchema.parse(JSON.parse(file.content)).manifests;
  } catch {
    return {};
  }
}

export function requestDeployTool(deps: DeployToolDeps): AgentTool<RequestDeployArgs> {
  const { store, workspace } = deps;

  async function answerDecision(checkpoint: Checkpoint, context: ToolContext): Promise<string> {
    if (checkpoint.status !== 'approved' && checkpoint.status !== 'modified') {
      return JSON.stringify({ status: checkpoint.status, reason: checkpoint.decision?.reason ?? null });
    }
    const hashes = checkpoint.request.details.manifests as { path: string; sha256: string }[];
    const manifests: Record<string, string> = {};
    for (const { path, sha256: expected } of hashes) {
      const file = await workspace.read(`${MANIFEST_DIR}/${path}`).catch(() => null);
      if (!file || sha256(file.content) !== expected) {
        await store.audit.append({
          actor: context.actor,
          action: 'deploy.refused',
          subjectType: 'checkpoint',
          subjectId: checkpoint.id,
          data: { reason: 'manifests changed after approval', path },
        });
        return JSON.stringify({
          status: 'refused',
          message: `deploy/manifests/${path} changed after the TO approved it; nothing was deployed. Request a new deploy.`,
        });
      }
      manifests[path] = file.content;
    }
    const written = await workspace.write(
      APPROVED_PLAN,
      `${JSON.stringify({ checkpointId: checkpoint.id, approvedBy: checkpoint.decision?.by ?? null, manifests }, null, 2)}\n`,
    );
    await workspace.commitStep({
      taskId: `${context.task.id}-deploy-approved`,
      step: context.step,
      author: author(context),
      subject: `Deploy plan approved (checkpoint ${checkpoint.id})`,
      paths: [written.path],
    });
    const command = deps.settings.command;
    if (command === null) {
      await store.audit.append({
        actor: context.actor,
        action: 'deploy.handed_to_operator',
        subjectType: 'checkpoint',
        subjectId: checkpoint.id,
        data: { taskId: context.task.id, environment: checkpoint.request.details.environment },
      });
      return JSON.stringify({
        status: 'approved',
        deployed: false,
        message:
          'The plan is approved. No deploy command is configured: a Technical Operator deploys it and marks this task done from the card or the CLI. Finish your task and say so.',
      });
    }
    return JSON.stringify(await runDeployOnce(deps, checkpoint, context, command));
  }

  return {
    name: 'request_deploy',
    description:
      'Propose a deployment: writes the infrastructure manifests, a diff against the last approved plan and the estimated monthly cost into the workspace, and waits for a Technical Operator to approve it. Nothing is deployed without their approval.',
    schema: RequestDeployArgs,
    answerDecision,
    async run(args, context) {
      const call = { step: context.step, callId: context.callId };
      const earlier = (await store.checkpoints.list({ projectId: context.project.id })).find(
        (checkpoint) =>
          checkpoint.kind === 'deploy' &&
          checkpoint.taskId === context.task.id &&
          isDeepStrictEqual(checkpoint.request.details.call, call),
      );
      if (earlier) {
        return earlier.status === 'pending'
          ? { kind: 'wait', checkpointId: earlier.id }
          : { kind: 'result', content: await answerDecision(earlier, context) };
      }
      const paths = args.manifests.map((manifest) => manifest.path);
      if (new Set(paths).size !== paths.length)
        throw new OlympusError('VALIDATION', 'two manifests have the same path');
      const proposed = Object.fromEntries(
        args.manifests.map((manifest) => [manifest.path, manifest.content]),
      );
      const diff = planDiff(await approvedManifests(workspace), proposed);
      const written: string[] = [];
      for (const manifest of args.manifests)
        written.push((await workspace.write(`${MANIFEST_DIR}/${manifest.path}`, manifest.content)).path);
      written.push((await workspace.write('deploy/plan.diff', diff)).path);
      const plan = {
        environment: args.environment,
        summary: args.summary,
        monthlyCost: args.monthlyCost,
        currency: context.project.budget?.currency ?? 'USD',
        manifests: args.manifests.map((manifest) => ({
          path: manifest.path,
          sha256: sha256(manifest.content),
        })),
      };
      written.push((await workspace.write('deploy/plan.json', `${JSON.stringify(plan, null, 2)}\n`)).path);
      const commit = await workspace.commitStep({
        taskId: `${context.task.id}-deploy-plan`,
        step: context.step,
        author: author(context),
        subject: `Deploy plan for ${args.environment} (${context.task.key})`,
        paths: written,
      });
      const checkpoint = await deps.checkpoints.open({
        projectId: context.project.id,
        taskId: context.task.id,
        kind: 'deploy',
        requestedBy: context.actor,
        request: {
          title: `Deploy ${context.project.title} to ${args.environment}?`,
          summary: `${args.summary}\nEstimated monthly cost: ${plan.monthlyCost} ${plan.currency}. ${
            deps.settings.command === null
              ? 'No deploy command is configured: on approval a TO deploys by hand.'
              : 'On approval the configured deploy command runs once.'
          } Reject = cancel the task.`,
          details: {
            ...plan,
            diff: diff.length > MAX_DIFF_CHARS ? `${diff.slice(0, MAX_DIFF_CHARS)}\n… (truncated)` : diff,
            diffSha256: sha256(diff),
            commit,
            command: deps.settings.command,
            taskId: context.task.id,
            taskKey: context.task.key,
            call,
          },
        },
      });
      return { kind: 'wait', checkpointId: checkpoint.id };
    },
  };
}

/** Runs the deploy command at most once per approved checkpoint (an outbox effect). */
async function runDeployOnce(
  deps: DeployToolDeps,
  checkpoint: Checkpoint,
  context: ToolContext,
  command: string,
): Promise<Record<string, unknown>> {
  const { store, workspace } = deps;
  const effectId = `deploy:${checkpoint.id}`;
  const { entry } = await store.outbox.enqueue(effectId, 'deploy.run', {
    checkpointId: checkpoint.id,
    command,
  });
  if (entry.status === 'done') return entry.result as Record<string, unknown>;
  const begun = await store.outbox.begin(effectId);
  if (!begun) return (await store.outbox.get(effectId))?.result as Record<string, unknown>;
  if (begun.attempts > 1) {
    const unknown = {
      status: 'approved',
      deployed: 'unknown',
      message:
        'An earlier deploy attempt was interrupted and may have run. It is not repeated: a Technical Operator checks the deployment and marks this task done.',
    };
    await store.outbox.complete(effectId, unknown);
    return unknown;
  }
  const outcome = await runShell(command, workspace.root, deps.settings.timeoutMs, context.signal);
  const result = {
    status: 'approved',
    deployed: outcome.exitCode === 0 && !outcome.timedOut,
    exitCode: outcome.exitCode,
    timedOut: outcome.timedOut,
    output: outcome.output.slice(-4000),
  };
  await store.outbox.complete(effectId, result);
  await store.audit.append({
    actor: context.actor,
    action: 'deploy.executed',
    subjectType: 'checkpoint',
    subjectId: checkpoint.id,
    data: { taskId: context.task.id, exitCode: outcome.exitCode, timedOut: outcome.timedOut },
  });
  return result;
}
