/** The tool-calling loop's stored state (JSON in the task's progress), validated when read back. */
import { z } from 'zod';
import type { LlmMessage, LlmToolCall } from '../llm/index.js';

const ToolCallSchema = z.object({
  id: z.string(),
  name: z.string(),
  argumentsJson: z.string(),
  arguments: z.record(z.string(), z.unknown()).nullable(),
});

const MessageSchema = z.union([
  z.object({ role: z.enum(['system', 'user']), content: z.string() }),
  z.object({
    role: z.literal('assistant'),
    content: z.string(),
    toolCalls: z.array(ToolCallSchema).optional(),
  }),
  z.object({ role: z.literal('tool'), content: z.string(), toolCallId: z.string(), toolName: z.string() }),
]);

const ArtifactSchema = z.object({ kind: z.string(), ref: z.string(), note: z.string().optional() });

export const LoopStateSchema = z.object({
  v: z.literal(1),
  /** Index of the step under way (the next model call, or the one whose tools are being run). */
  step: z.number().int().min(0),
  /** First step of this conversation (a run that hit the step limit starts afresh from there). */
  firstStep: z.number().int().min(0),
  messages: z.array(MessageSchema),
  inputTokens: z.number().min(0),
  outputTokens: z.number().min(0),
  cost: z.number().min(0),
  /** The model's answer of `step`, stored before any of its tools run, and what those tools answered. */
  pending: z
    .object({
      text: z.string(),
      toolCalls: z.array(ToolCallSchema),
      answers: z.array(z.object({ toolCallId: z.string(), toolName: z.string(), content: z.string() })),
      changed: z.array(z.string()),
      waiting: z.object({ checkpointId: z.string(), toolCallId: z.string() }).nullable(),
      finish: z.object({ summary: z.string(), artifacts: z.array(ArtifactSchema) }).nullable(),
    })
    .nullable(),
  /** A `spend` checkpoint the next model call waits for. */
  spendWaiting: z.object({ checkpointId: z.string() }).nullable(),
  /** The step whose model call a TO approved through a spend checkpoint. */
  spendApprovedStep: z.number().int().nullable(),
});

export type LoopState = z.infer<typeof LoopStateSchema>;
export type PendingStep = NonNullable<LoopState['pending']>;

export function initialState(messages: LlmMessage[], firstStep = 0): LoopState {
  return {
    v: 1,
    step: firstStep,
    firstStep,
    messages,
    inputTokens: 0,
    outputTokens: 0,
    cost: 0,
    pending: null,
    spendWaiting: null,
    spendApprovedStep: null,
  };
}

export function copyToolCall(call: LlmToolCall): LlmToolCall {
  return { id: call.id, name: call.name, argumentsJson: call.argumentsJson, arguments: call.arguments };
}
