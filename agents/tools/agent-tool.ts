/**
 * The tool port of the specialist agents' tool-calling loop. A tool is plain code: the model proposes a
 * call, the loop validates the arguments with the tool's schema and runs it with a context that names the
 * project, task and step. Tools never return a secret's value to the model.
 *
 * A tool's outcome is one of:
 * - `result`: text (usually JSON) given back to the model as the tool's answer;
 * - `wait`: the tool opened a checkpoint; the loop stores its state and ends the job, and `task.resume`
 *   continues later with the decision as this call's answer;
 * - `finish`: the agent is done; the loop ends the task with this summary and these artifacts.
 */
import type { z } from 'zod';
import type { Artifact, Checkpoint, Project, Task } from '../../ports/store.js';

export interface ToolContext {
  project: Pick<Project, 'id' | 'key' | 'title' | 'localOnly' | 'budget' | 'spent'>;
  task: Pick<Task, 'id' | 'key' | 'role' | 'title'>;
  /** Index of the loop step this call belongs to (stable across a crash and replay of the step). */
  step: number;
  /** The model's id for this call; with task id and step it keys the call's effects for idempotency. */
  callId: string;
  /** Identifies the agent in commits, audit events and checkpoints (e.g. `agent:apollo`). */
  actor: string;
  signal?: AbortSignal;
}

/** The context of one tool call, from the stored project and task (only what tools may see). */
export function toolContextOf(
  project: ToolContext['project'],
  task: ToolContext['task'],
  call: { step: number; callId: string; actor: string; signal?: AbortSignal },
): ToolContext {
  return {
    project: {
      id: project.id,
      key: project.key,
      title: project.title,
      localOnly: project.localOnly,
      budget: project.budget,
      spent: project.spent,
    },
    task: { id: task.id, key: task.key, role: task.role, title: task.title },
    step: call.step,
    callId: call.callId,
    actor: call.actor,
    ...(call.signal ? { signal: call.signal } : {}),
  };
}

export type ToolOutcome =
  | {
      kind: 'result';
      content: string;
      /** Workspace paths the call changed (`.`: possibly anything); the step's commit takes them. */
      changed?: string[];
    }
  | { kind: 'wait'; checkpointId: string }
  | { kind: 'finish'; summary: string; artifacts: Artifact[] };

export interface AgentTool<Args = unknown> {
  /** The name the model calls it by, e.g. `write_file`. */
  readonly name: string;
  readonly description: string;
  /** Validates the model's arguments; its JSON schema is what the model is shown. */
  readonly schema: z.ZodType<Args>;
  run(args: Args, context: ToolContext): Promise<ToolOutcome>;
  /**
   * The answer the model gets for a call of this tool that waited, once its checkpoint is decided
   * (default: the decision, who made it, and the TO's changes or reason).
   */
  answerDecision?(checkpoint: Checkpoint, context: ToolContext): Promise<string>;
}

/**
 * Spend control the loop consults before each language-model call (orchestration/budget). `wait` means a
 * `spend` checkpoint is open (the call would pass the auto-approve threshold, or the project is at 100% of
 * its budget): the loop stores its state and ends the job, exactly as for a tool that waits.
 */
export interface SpendGate {
  beforeLlmCall(input: {
    projectId: string;
    taskId: string;
    step: number;
    /** Estimated cost of the call in the budget's currency. */
    estimatedCost: number;
    actor: string;
  }): Promise<{ kind: 'go' } | { kind: 'wait'; checkpointId: string }>;
}
