/**
 * What a specialist does with one task. Today: ONE structured LLM call that returns the result summary
 * and the artifacts. The seam for the full agent (issue 4 item 3: a tool-calling loop over the project's
 * workspace, checkpoints and durable waiting) is `AgentRunner`: the orchestrator only needs `run`.
 */
import { z } from 'zod';
import { generateStructured, type LlmRouter } from '../llm/index.js';
import type { Artifact, Project, Task } from '../../storage/ports.js';
import type { AgentManifest } from './agent-manifest.js';

export interface AgentRunInput {
  project: Pick<Project, 'id' | 'title' | 'localOnly'>;
  task: Task;
  /** Results of the tasks this one depends on, by key. */
  inputs: { key: string; title: string; artifacts: Artifact[] }[];
  signal?: AbortSignal;
}

export interface AgentRunResult {
  summary: string;
  artifacts: Artifact[];
  cost: number;
}

export interface AgentRunner {
  run(manifest: AgentManifest, input: AgentRunInput): Promise<AgentRunResult>;
}

export const AgentResultSchema = z.object({
  summary: z.string().trim().min(1).max(4000),
  artifacts: z
    .array(
      z.object({
        kind: z.string().trim().min(1).max(40),
        ref: z.string().trim().min(1).max(500),
        note: z.string().max(500).optional(),
      }),
    )
    .max(50),
});

/** The single-call agent step. */
export class SingleCallAgent implements AgentRunner {
  constructor(private readonly router: LlmRouter) {}

  async run(manifest: AgentManifest, input: AgentRunInput): Promise<AgentRunResult> {
    const { task, project } = input;
    const result = await generateStructured(this.router, {
      tier: manifest.tier,
      schema: AgentResultSchema,
      schemaName: 'task_result',
      project: { id: project.id, localOnly: project.localOnly },
      projectId: project.id,
      taskId: task.id,
      maxTokens: manifest.limits.maxTokens,
      meta: { purpose: 'task', agent: manifest.role },
      ...(input.signal ? { signal: input.signal } : {}),
      messages: [
        { role: 'system', content: manifest.systemPrompt },
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
      ],
    });
    const artifacts = result.data.artifacts.map((artifact) => ({
      kind: artifact.kind,
      ref: artifact.ref,
      ...(artifact.note === undefined ? {} : { note: artifact.note }),
    }));
    return { summary: result.data.summary, artifacts, cost: result.response.cost };
  }
}
