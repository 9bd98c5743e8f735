/**
 * What a specialist does with one task: the `AgentRunner` seam the orchestrator calls (implemented by
 * the tool-calling loop in tool-loop-agent.ts). A run works from the task's stored progress, so the same
 * call starts a task, resumes it after a checkpoint decision, and replays it after a crash.
 */
import type { Artifact, Project, Task } from '../../ports/store.js';
import type { AgentManifest } from './agent-manifest.js';

/** The loop's durable state, kept with the task and fenced by the attempt's claim. */
export interface LoopProgress {
  /** The stored state; null before the first step. */
  load(): Promise<Record<string, unknown> | null>;
  /** Replaces the stored state; throws FENCED when the attempt lost its claim. */
  save(state: Record<string, unknown>, waitingOn: string | null): Promise<void>;
}

export interface AgentRunInput {
  project: Pick<Project, 'id' | 'key' | 'title' | 'localOnly' | 'budget' | 'spent'>;
  task: Task;
  /** Results of the tasks this one depends on, by key. */
  inputs: { key: string; title: string; artifacts: Artifact[] }[];
  progress: LoopProgress;
  signal?: AbortSignal;
  /**
   * Model calls this run may still make (the task's cap less what it spent); past it the run fails with
   * AGENT_STEP_LIMIT and `details.callCap: true`, not retryable. Unset: only the manifest's step limit.
   */
  modelCallsLeft?: number;
}

export type AgentRunResult =
  /** The agent called `finish`. `cost` is the whole task's LLM cost, over every attempt. */
  | { kind: 'done'; summary: string; artifacts: Artifact[]; cost: number; steps: number }
  /** A checkpoint is open; the state is stored and the job may end. */
  | { kind: 'waiting'; checkpointId: string }
  /** A TO rejected a spend or deploy checkpoint of the task. */
  | { kind: 'cancelled'; checkpointId: string; reason: string };

export interface AgentRunner {
  run(manifest: AgentManifest, input: AgentRunInput): Promise<AgentRunResult>;
}
