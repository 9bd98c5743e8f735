/**
 * Builds the tool set of one task run from its agent's manifest: the tools the manifest lists, from the
 * built-in ones (files, checkpoints, finish, and the shell when the configuration enables it) and the
 * ones the caller supplies (`extra`: credentials, spend, deploy…). Each tool's zod schema becomes the JSON
 * schema the model is shown, and the arguments the model writes are validated with it before the tool runs.
 */
import { z } from 'zod';
import { hasCode, errorMessage, OlympusError } from '../../common/errors.js';
import type { CheckpointGateway } from '../../ports/agent-gateways.js';
import type { Store } from '../../ports/store.js';
import type { LlmToolDefinition } from '../llm/index.js';
import type { AgentManifest } from '../specialists/agent-manifest.js';
import type { ProjectWorkspace } from '../workspace/project-workspace.js';
import type { AgentTool, ToolContext, ToolOutcome } from './agent-tool.js';
import { requestCheckpointTool } from './checkpoint-tool.js';
import { listFilesTool, readFileTool, writeFileTool } from './file-tools.js';
import { finishTool } from './finish-tool.js';
import { runCommandTool, type ShellSettings } from './shell-tool.js';

export interface AgentToolsOptions {
  manifest: Pick<AgentManifest, 'tools'>;
  workspace: ProjectWorkspace;
  store: Store;
  /** Where `request_checkpoint` opens its checkpoints. */
  checkpoints: CheckpointGateway;
  /** `run_command` is offered only when enabled here and listed in the manifest. */
  shell?: ShellSettings;
  /** Tools the caller supplies; offered when the manifest lists their names (they override built-ins). */
  extra?: AgentTool[];
}

/** The JSON schema of a tool's arguments, as the model is shown it. */
export function toolParameters(schema: z.ZodType): Record<string, unknown> {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json;
}

export class ToolSet {
  private readonly byName: Map<string, AgentTool>;

  constructor(tools: AgentTool[]) {
    this.byName = new Map(tools.map((tool) => [tool.name, tool]));
  }

  get names(): string[] {
    return [...this.byName.keys()];
  }

  get(name: string): AgentTool | undefined {
    return this.byName.get(name);
  }

  definitions(): LlmToolDefinition[] {
    return [...this.byName.values()].map((tool) => ({
      name: tool.name,
      description: tool.description,
      parameters: toolParameters(tool.schema),
    }));
  }

  /**
   * Runs one call the model proposed. What the model got wrong (an unknown tool, arguments that are
   * not JSON or break the schema, a path outside the workspace…) comes back as an error answer naming
   * the problem, so the model can correct itself; failures of Olympus itself are thrown.
   */
  async call(
    name: string,
    args: Record<string, unknown> | null,
    argumentsJson: string,
    context: ToolContext,
  ): Promise<ToolOutcome> {
    const tool = this.byName.get(name);
    if (!tool) return refusal(`unknown tool "${name}"; the tools you have are: ${this.names.join(', ')}`);
    if (args === null)
      return refusal(`the arguments of ${name} must be a JSON object; got: ${argumentsJson.slice(0, 200)}`);
    const parsed = tool.schema.safeParse(args);
    if (!parsed.success) {
      return refusal(`invalid arguments for ${name}:\n${z.prettifyError(parsed.error)}`);
    }
    try {
      return await tool.run(parsed.data, context);
    } catch (error) {
      if (hasCode(error, 'VALIDATION')) return refusal(`${name} failed: ${errorMessage(error)}`);
      throw error;
    }
  }
}

function refusal(message: string): ToolOutcome {
  return { kind: 'result', content: JSON.stringify({ error: message }) };
}

export function createAgentTools(options: AgentToolsOptions): ToolSet {
  const { workspace } = options;
  const builtIn: Record<string, () => AgentTool> = {
    read_file: () => readFileTool(workspace),
    write_file: () => writeFileTool(workspace),
    list_files: () => listFilesTool(workspace),
    request_checkpoint: () => requestCheckpointTool(options),
    finish: () => finishTool(),
  };
  if (options.shell?.enabled) builtIn.run_command = () => runCommandTool(workspace, options.shell!);
  const extra = new Map((options.extra ?? []).map((tool) => [tool.name, tool]));
  const listed: readonly string[] = options.manifest.tools;
  const tools = listed.flatMap((name) => {
    const supplied = extra.get(name);
    if (supplied) return [supplied];
    const make = builtIn[name];
    return make ? [make()] : [];
  });
  if (!tools.some((tool) => tool.name === 'finish'))
    throw new OlympusError('CONFIG_INVALID', 'an agent manifest must list the finish tool');
  return new ToolSet(tools);
}
