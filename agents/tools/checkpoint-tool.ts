/**
 * `request_checkpoint`: the agent asks the Technical Operators a question (a `question` checkpoint) and
 * waits, durably, for the decision, which comes back as this call's answer. Opening is keyed by task,
 * step and call, so a step replayed after a crash finds the checkpoint it opened instead of opening another.
 */
import { z } from 'zod';
import type { CheckpointGateway } from '../../ports/agent-gateways.js';
import type { Store } from '../../ports/store.js';
import type { AgentTool } from './agent-tool.js';

/** `details.purpose` of the checkpoints agents open with this tool. */
export const AGENT_QUESTION = 'agent_question';

const CheckpointArgs = z
  .object({
    title: z.string().trim().min(1).max(150).describe('One line the operators see first'),
    question: z.string().trim().min(1).max(4000).describe('What you need decided, with the context needed'),
    proposal: z
      .string()
      .trim()
      .max(2000)
      .optional()
      .describe('What you will do if they approve (they may modify it or reject it with a reason)'),
  })
  .strict();

export function checkpointEffectKey(taskId: string, step: number, callId: string): string {
  return `checkpoint:${taskId}:${step}:${callId}`;
}

export function requestCheckpointTool(deps: {
  store: Store;
  checkpoints: CheckpointGateway;
}): AgentTool<z.infer<typeof CheckpointArgs>> {
  return {
    name: 'request_checkpoint',
    description:
      "Asks a human Technical Operator to decide something (approve / modify / reject). Your work pauses until they answer; the answer comes back as this tool call's result.",
    schema: CheckpointArgs,
    async run(args, context) {
      const effectKey = checkpointEffectKey(context.task.id, context.step, context.callId);
      const existing = (await deps.store.checkpoints.list({ projectId: context.project.id })).find(
        (checkpoint) => checkpoint.request.details.effectKey === effectKey,
      );
      const checkpoint =
        existing ??
        (await deps.checkpoints.open({
          projectId: context.project.id,
          taskId: context.task.id,
          kind: 'question',
          requestedBy: context.actor,
          request: {
            title: args.title,
            summary: `${context.task.role} asks about task ${context.task.key} ("${context.task.title}"):\n${args.question}${
              args.proposal ? `\nProposal: ${args.proposal}` : ''
            }`,
            details: {
              purpose: AGENT_QUESTION,
              taskKey: context.task.key,
              question: args.question,
              proposal: args.proposal ?? null,
              effectKey,
            },
          },
        }));
      return { kind: 'wait', checkpointId: checkpoint.id };
    },
  };
}
