/**
 * `estimate_spend`: an agent asks before spending money outside the language model (a paid API, a
 * domain, hosting). Within the auto-approve threshold and the budget it is approved at once and written
 * to the ledger; otherwise a `spend` checkpoint shows the TO the amount against the budget and the agent
 * waits (the spend gateway applies the rule, the one the LLM-call gate applies too).
 */
import { z } from 'zod';
import type { SpendGateway } from '../../ports/agent-gateways.js';
import { spendDetails } from '../../ports/spend-details.js';
import type { Checkpoint, Store } from '../../ports/store.js';
import type { AgentTool, ToolOutcome } from './agent-tool.js';

export const EstimateSpendArgs = z
  .object({
    amount: z.number().positive().max(10_000_000).describe("estimated cost in the project budget's currency"),
    purpose: z.string().trim().min(1).max(500).describe('what the money buys, shown to the operator'),
    vendor: z.string().trim().min(1).max(100).optional().describe('who is paid, e.g. "aws"'),
  })
  .strict();
export type EstimateSpendArgs = z.infer<typeof EstimateSpendArgs>;

function answer(value: Record<string, unknown>): ToolOutcome {
  return { kind: 'result', content: JSON.stringify(value) };
}

function decisionAnswer(checkpoint: Checkpoint): ToolOutcome {
  return { kind: 'result', content: decisionText(checkpoint) };
}

function decisionText(checkpoint: Checkpoint): string {
  const spend = spendDetails(checkpoint);
  if (checkpoint.status === 'approved' || checkpoint.status === 'modified') {
    return JSON.stringify({
      status: 'approved',
      amount: spend?.amount ?? null,
      currency: spend?.currency ?? null,
      approvedBy: 'a Technical Operator',
      ...(checkpoint.decision?.changes ? { changes: checkpoint.decision.changes } : {}),
    });
  }
  return JSON.stringify({
    status: checkpoint.status,
    reason: checkpoint.decision?.reason ?? null,
    message: 'The spend was not approved. Do not spend this money.',
  });
}

export interface SpendToolDeps {
  store: Store;
  spend: SpendGateway;
}

export function estimateSpendTool(deps: SpendToolDeps): AgentTool<EstimateSpendArgs> {
  return {
    name: 'estimate_spend',
    description:
      'Ask before spending money outside the language model (paid APIs, hosting, domains). Small amounts within budget are approved at once; larger ones wait for a Technical Operator.',
    schema: EstimateSpendArgs,
    answerDecision: (checkpoint) => Promise.resolve(decisionText(checkpoint)),
    async run(args, context) {
      const project = await deps.store.projects.get(context.project.id);
      if (!project) return answer({ error: 'the project no longer exists' });
      const call = { step: context.step, callId: context.callId };
      const verdict = await deps.spend.request({
        project,
        task: context.task,
        actor: context.actor,
        call,
        type: 'external',
        amount: args.amount,
        purpose: args.purpose,
        ...(args.vendor === undefined ? {} : { vendor: args.vendor }),
      });
      if (verdict.kind === 'wait') return { kind: 'wait', checkpointId: verdict.checkpoint.id };
      if (verdict.kind === 'rejected') return decisionAnswer(verdict.checkpoint);
      if (!verdict.autoApproved && verdict.checkpoint) return decisionAnswer(verdict.checkpoint);
      const currency = project.budget?.currency ?? 'USD';
      const entry = await deps.store.ledger.append({
        kind: 'spend',
        projectId: project.id,
        taskId: context.task.id,
        provider: args.vendor ?? 'external',
        model: 'external-spend',
        inputTokens: 0,
        outputTokens: 0,
        cost: args.amount,
        currency,
        latencyMs: 0,
        effectKey: `spend:${context.task.id}:${context.step}:${context.callId}`,
        meta: { purpose: args.purpose, autoApproved: true, threshold: deps.spend.autoApprove },
      });
      await deps.store.audit.append({
        actor: context.actor,
        action: 'spend.auto_approved',
        subjectType: 'project',
        subjectId: project.id,
        data: { ledgerEntryId: entry.id, taskId: context.task.id, amount: args.amount, currency },
      });
      return answer({
        status: 'approved',
        amount: args.amount,
        currency,
        approvedBy: 'auto-approve threshold',
      });
    },
  };
}
