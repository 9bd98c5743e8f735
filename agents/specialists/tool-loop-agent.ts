/**
 * The specialists' tool-calling loop. Each step is one model call (on the manifest's tier, through the
 * LLM router, with the manifest's tools) and then the tools it called, in order. Every step's state is
 * stored with the task before anything has an effect that a replay could repeat:
 *   1. before the model call: the SpendGate may open a `spend` checkpoint (the loop then waits);
 *   2. the model's answer is stored before any tool runs, so a replay reuses it (and its ledger entry,
 *      keyed `llm:<task id>:<step>`, is written once);
 *   3. each tool's answer is stored as it comes; a tool that opens a checkpoint stores the wait and the
 *      run ends (`waiting`): the decision becomes that call's answer when the task resumes;
 *   4. a finished step's file changes become one commit by the agent with an `Olympus-Step` trailer
 *      (skipped when the trailer exists: the step was committed before a crash).
 * The task text reaches the model only as quoted JSON data. Exceeding the manifest's step limit fails
 * the attempt with AGENT_STEP_LIMIT (a retry starts a fresh conversation from the workspace as it is).
 */
import { errorMessage, hasCode, OlympusError } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { CheckpointGateway } from '../../ports/agent-gateways.js';
import type { Checkpoint, Store } from '../../ports/store.js';
import type { LlmMessage, LlmRouter } from '../llm/index.js';
import { toolContextOf, type AgentTool, type SpendGate, type ToolContext } from '../tools/agent-tool.js';
import type { ShellSettings } from '../tools/shell-tool.js';
import { createAgentTools, type ToolSet } from '../tools/tool-registry.js';
import type { ProjectWorkspace, Workspaces } from '../workspace/project-workspace.js';
import type { AgentManifest } from './agent-manifest.js';
import type { AgentRunInput, AgentRunner, AgentRunResult } from './agent-step.js';
import {
  copyToolCall,
  initialState,
  LoopStateSchema,
  type LoopState,
  type PendingStep,
} from './loop-state.js';

export interface ToolLoopAgentOptions {
  store: Store;
  /** Where the agents' own questions (`request_checkpoint`) are opened. */
  checkpoints: CheckpointGateway;
  router: LlmRouter;
  workspaces: Workspaces;
  logger: Logger;
  shell?: ShellSettings;
  spendGate?: SpendGate;
  /** Tools supplied per task (credentials, spend, deploy…); offered when the manifest lists them. */
  extraTools?: (input: {
    workspace: ProjectWorkspace;
    run: AgentRunInput;
    manifest: AgentManifest;
  }) => AgentTool[];
  /** Estimated cost of one model call, for the SpendGate (default: 0.05 in the budget's currency). */
  estimateCallCost?: (manifest: AgentManifest, run: AgentRunInput) => number;
}

/** Kinds of checkpoint whose rejection cancels the task rather than answering the agent. */
const CANCELLING_KINDS = new Set<Checkpoint['kind']>(['spend', 'deploy']);

export function llmEffectKey(taskId: string, step: number): string {
  return `llm:${taskId}:${step}`;
}

export function agentIdentity(manifest: Pick<AgentManifest, 'name' | 'role'>): {
  name: string;
  email: string;
} {
  return { name: manifest.name, email: `${manifest.role}@agents.olympus.local` };
}

const WORK_RULES = [
  'Work on the task with the tools you are given. Files you write go to the project workspace (a git repository',
  'shared with the other agents); what a step changes is committed in your name when the step ends.',
  'When the acceptance criteria are met, call `finish` with a short summary and the artifacts (e.g. kind "file",',
  'ref the workspace path). If you need a human decision, call `request_checkpoint` and wait for the answer.',
].join(' ');

/** Said to agents that may ask for credentials: ask first, name the service and host, never make one up. */
const CREDENTIAL_RULES = [
  'If the task calls an outside service that needs a credential (an API key, a token), call `request_credential`',
  'before any other work on it: the service by its name, its API host name (e.g. "getpocket.com", never a project',
  'or product name) and what the task uses it for. A credential already given to another task of the project is',
  'leased to you at once. Never write a placeholder key, and never ask the client for a secret.',
].join(' ');

function workRules(manifest: AgentManifest): string {
  return manifest.tools.includes('request_credential') ? `${WORK_RULES}\n\n${CREDENTIAL_RULES}` : WORK_RULES;
}

export class ToolLoopAgent implements AgentRunner {
  constructor(private readonly options: ToolLoopAgentOptions) {}

  async run(manifest: AgentManifest, input: AgentRunInput): Promise<AgentRunResult> {
    const { project, task } = input;
    const workspace = this.options.workspaces.forProject(project);
    await workspace.ensure();
    const tools = createAgentTools({
      manifest,
      workspace,
      store: this.options.store,
      checkpoints: this.options.checkpoints,
      ...(this.options.shell ? { shell: this.options.shell } : {}),
      extra: this.options.extraTools?.({ workspace, run: input, manifest }) ?? [],
    });
    const stored = await input.progress.load();
    let state: LoopState;
    if (stored === null) {
      state = initialState(this.openingMessages(manifest, input));
    } else {
      const parsed = LoopStateSchema.safeParse(stored);
      if (!parsed.success)
        throw new OlympusError('INTERNAL', `stored progress of task ${task.key} is not a loop state`, {
          cause: parsed.error,
        });
      state = parsed.data;
    }
    const save = (waitingOn: string | null = null) => input.progress.save(state, waitingOn);
    const loop = new LoopRun(this.options, manifest, input, tools, workspace, save);
    return loop.run(state);
  }

  private openingMessages(manifest: AgentManifest, input: AgentRunInput): LlmMessage[] {
    const { task, project } = input;
    return [
      { role: 'system', content: `${manifest.systemPrompt}\n\n${workRules(manifest)}` },
      {
        role: 'user',
        content: [
          `Project: ${JSON.stringify(project.title)}`,
          'Task (JSON data):',
          JSON.stringify(
            { key: task.key, title: task.title, spec: task.spec, acceptance: task.acceptance },
            null,
            2,
          ),
          'Results of the tasks it depends on (JSON data):',
          JSON.stringify(input.inputs),
        ].join('\n'),
      },
    ];
  }
}

class LoopRun {
  private readonly actor: string;
  /** Model calls made by this run (for `modelCallsLeft`). */
  private calls = 0;

  constructor(
    private readonly options: ToolLoopAgentOptions,
    private readonly manifest: AgentManifest,
    private readonly input: AgentRunInput,
    private readonly tools: ToolSet,
    private readonly workspace: ProjectWorkspace,
    private readonly save: (waitingOn?: string | null) => Promise<void>,
  ) {
    this.actor = `agent:${manifest.role}`;
  }

  async run(state: LoopState): Promise<AgentRunResult> {
    const settled = await this.settleWaits(state);
    if (settled) return settled;
    for (;;) {
      this.input.signal?.throwIfAborted();
      if (!state.pending) {
        const waiting = await this.callModel(state);
        if (waiting) return waiting;
      }
      const pending = state.pending!;
      const waiting = await this.runTools(state, pending);
      if (waiting) return waiting;
      await this.endStep(state, pending);
      if (pending.finish) {
        return {
          kind: 'done',
          summary: pending.finish.summary,
          artifacts: pending.finish.artifacts,
          cost: state.cost,
          steps: state.step,
        };
      }
    }
  }

  /** Applies the decision of the checkpoint the stored state waits on, or keeps waiting. */
  private async settleWaits(state: LoopState): Promise<AgentRunResult | null> {
    const waitingOn = state.pending?.waiting?.checkpointId ?? state.spendWaiting?.checkpointId;
    if (!waitingOn) return null;
    const checkpoint = await this.options.store.checkpoints.get(waitingOn);
    if (!checkpoint)
      throw new OlympusError(
        'INTERNAL',
        `task ${this.input.task.key} waits on checkpoint ${waitingOn}, which does not exist`,
      );
    if (checkpoint.status === 'pending') {
      await this.save(checkpoint.id);
      return { kind: 'waiting', checkpointId: checkpoint.id };
    }
    const reason = checkpoint.decision?.reason ?? checkpoint.status;
    if (state.spendWaiting) {
      if (checkpoint.status === 'rejected' || checkpoint.status === 'expired')
        return {
          kind: 'cancelled',
          checkpointId: checkpoint.id,
          reason: `spend ${checkpoint.status}: ${reason}`,
        };
      state.spendWaiting = null;
      state.spendApprovedStep = state.step;
      await this.save();
      return null;
    }
    const pending = state.pending!;
    const waiting = pending.waiting!;
    if (checkpoint.status === 'rejected' && CANCELLING_KINDS.has(checkpoint.kind))
      return {
        kind: 'cancelled',
        checkpointId: checkpoint.id,
        reason: `${checkpoint.kind} rejected: ${reason}`,
      };
    const call = pending.toolCalls.find((candidate) => candidate.id === waiting.toolCallId);
    const tool = call ? this.tools.get(call.name) : undefined;
    const content = tool?.answerDecision
      ? await tool.answerDecision(checkpoint, this.toolContext(state, waiting.toolCallId))
      : JSON.stringify(decisionAnswer(checkpoint));
    pending.answers.push({
      toolCallId: waiting.toolCallId,
      toolName: call?.name ?? 'request_checkpoint',
      content,
    });
    pending.waiting = null;
    await this.save();
    return null;
  }

  private async callModel(state: LoopState): Promise<AgentRunResult | null> {
    const { manifest, input } = this;
    const { task, project } = input;
    if (state.step - state.firstStep >= manifest.limits.maxSteps) {
      const limit = manifest.limits.maxSteps;
      // What the model said last, for the TO who may be asked about the failure (the reset drops it).
      const lastAnswer = lastAssistantText(state.messages);
      // A retry starts a fresh conversation (the workspace keeps what was done), at the next step index.
      const { cost, inputTokens, outputTokens } = state;
      Object.assign(state, initialState(state.messages.slice(0, 2), state.step), {
        cost,
        inputTokens,
        outputTokens,
      });
      await this.save();
      throw new OlympusError(
        'AGENT_STEP_LIMIT',
        `${manifest.name} used all ${limit} steps of its manifest on task ${task.key} without calling finish`,
        { retryable: true, details: { taskId: task.id, limit, lastAnswer } },
      );
    }
    if (this.input.modelCallsLeft !== undefined && this.calls >= this.input.modelCallsLeft) {
      await this.save();
      throw new OlympusError(
        'AGENT_STEP_LIMIT',
        `${manifest.name} spent the model calls task ${task.key} may make without calling finish`,
        {
          retryable: false,
          details: { taskId: task.id, callCap: true, lastAnswer: lastAssistantText(state.messages) },
        },
      );
    }
    if (this.options.spendGate && state.spendApprovedStep !== state.step) {
      let gate: Awaited<ReturnType<SpendGate['beforeLlmCall']>>;
      try {
        gate = await this.options.spendGate.beforeLlmCall({
          projectId: project.id,
          taskId: task.id,
          step: state.step,
          estimatedCost: this.options.estimateCallCost?.(manifest, input) ?? 0.05,
          actor: this.actor,
        });
      } catch (error) {
        // The gate refuses a call whose spend a TO rejected: the task is cancelled, not retried.
        const checkpointId = (error as { details?: { checkpointId?: unknown } }).details?.checkpointId;
        if (hasCode(error, 'FORBIDDEN') && typeof checkpointId === 'string')
          return { kind: 'cancelled', checkpointId, reason: errorMessage(error) };
        throw error;
      }
      if (gate.kind === 'wait') {
        state.spendWaiting = { checkpointId: gate.checkpointId };
        await this.save(gate.checkpointId);
        return { kind: 'waiting', checkpointId: gate.checkpointId };
      }
    }
    this.calls += 1;
    const response = await this.options.router.chat({
      tier: manifest.tier,
      messages: state.messages,
      tools: this.tools.definitions(),
      maxTokens: manifest.limits.maxTokens,
      project: { id: project.id, localOnly: project.localOnly },
      projectId: project.id,
      taskId: task.id,
      meta: { purpose: 'task', agent: manifest.role, step: state.step },
      effectKey: llmEffectKey(task.id, state.step),
      ...(input.signal ? { signal: input.signal } : {}),
    });
    state.inputTokens += response.inputTokens;
    state.outputTokens += response.outputTokens;
    state.cost += response.cost;
    state.pending = {
      text: response.text,
      toolCalls: response.toolCalls.map(copyToolCall),
      answers: [],
      changed: [],
      waiting: null,
      finish: null,
    };
    await this.save();
    return null;
  }

  private async runTools(state: LoopState, pending: PendingStep): Promise<AgentRunResult | null> {
    for (const call of pending.toolCalls) {
      if (pending.answers.some((answer) => answer.toolCallId === call.id)) continue;
      this.input.signal?.throwIfAborted();
      if (pending.finish) {
        pending.answers.push({
          toolCallId: call.id,
          toolName: call.name,
          content: JSON.stringify({ error: 'not run: the task was finished by an earlier call' }),
        });
        continue;
      }
      const context = this.toolContext(state, call.id);
      const outcome = await this.tools.call(call.name, call.arguments, call.argumentsJson, context);
      if (outcome.kind === 'wait') {
        pending.waiting = { checkpointId: outcome.checkpointId, toolCallId: call.id };
        await this.save(outcome.checkpointId);
        return { kind: 'waiting', checkpointId: outcome.checkpointId };
      }
      if (outcome.kind === 'finish') {
        pending.finish = { summary: outcome.summary, artifacts: outcome.artifacts };
        pending.answers.push({
          toolCallId: call.id,
          toolName: call.name,
          content: JSON.stringify({ finished: true }),
        });
      } else {
        pending.answers.push({ toolCallId: call.id, toolName: call.name, content: outcome.content });
        for (const changed of outcome.changed ?? [])
          if (!pending.changed.includes(changed)) pending.changed.push(changed);
      }
      await this.save();
    }
    return null;
  }

  private toolContext(state: LoopState, callId: string): ToolContext {
    const { task, project, signal } = this.input;
    return toolContextOf(project, task, {
      step: state.step,
      callId,
      actor: this.actor,
      ...(signal ? { signal } : {}),
    });
  }

  private async endStep(state: LoopState, pending: PendingStep): Promise<void> {
    const { manifest, input } = this;
    if (pending.changed.length > 0) {
      const commit = await this.workspace.commitStep({
        taskId: input.task.id,
        step: state.step,
        author: agentIdentity(manifest),
        subject: `${manifest.name}: ${input.task.key} (step ${state.step + 1})`,
        paths: pending.changed,
      });
      if (commit)
        this.options.logger.debug('step committed', { taskId: input.task.id, step: state.step, commit });
    }
    state.messages.push({
      role: 'assistant',
      content: pending.text,
      ...(pending.toolCalls.length > 0 ? { toolCalls: pending.toolCalls } : {}),
    });
    for (const call of pending.toolCalls) {
      const answer = pending.answers.find((candidate) => candidate.toolCallId === call.id);
      state.messages.push({
        role: 'tool',
        toolCallId: call.id,
        toolName: call.name,
        content: answer?.content ?? JSON.stringify({ error: 'no answer' }),
      });
    }
    if (pending.toolCalls.length === 0 && !pending.finish) {
      state.messages.push({
        role: 'user',
        content:
          'Continue with the tools. When the task is done, call `finish` with a summary and the artifacts.',
      });
    }
    state.step += 1;
    state.pending = null;
    if (!pending.finish) await this.save();
  }
}

/** What a decided checkpoint tells the agent as its tool call's answer. */
export function decisionAnswer(checkpoint: Checkpoint): Record<string, unknown> {
  return {
    checkpointId: checkpoint.id,
    decision: checkpoint.status,
    ...(checkpoint.decision?.by ? { by: checkpoint.decision.by } : {}),
    ...(checkpoint.decision?.changes ? { changes: checkpoint.decision.changes } : {}),
    ...(checkpoint.decision?.reason ? { reason: checkpoint.decision.reason } : {}),
  };
}

/** The last assistant turn as text: its content, then the tools it called with their arguments. */
function lastAssistantText(messages: readonly LlmMessage[]): string | null {
  const last = [...messages].reverse().find((message) => message.role === 'assistant');
  if (!last || last.role !== 'assistant') return null;
  const calls = (last.toolCalls ?? []).map((call) => `${call.name}(${call.argumentsJson})`);
  return [last.content, ...calls].filter((part) => part.length > 0).join('\n') || null;
}
