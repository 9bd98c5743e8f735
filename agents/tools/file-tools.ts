/** `read_file`, `write_file` and `list_files`: the agent's hands in its project's workspace. */
import { z } from 'zod';
import type { ProjectWorkspace } from '../workspace/project-workspace.js';
import type { AgentTool } from './agent-tool.js';

const PathSchema = z
  .string()
  .min(1)
  .max(300)
  .describe('Path relative to the project workspace root, e.g. "src/server.ts"');

export function readFileTool(workspace: ProjectWorkspace): AgentTool<{ path: string }> {
  return {
    name: 'read_file',
    description: "Reads a UTF-8 text file from the project's workspace.",
    schema: z.object({ path: PathSchema }).strict(),
    async run(args) {
      const file = await workspace.read(args.path);
      return { kind: 'result', content: JSON.stringify(file) };
    },
  };
}

export function writeFileTool(workspace: ProjectWorkspace): AgentTool<{ path: string; content: string }> {
  return {
    name: 'write_file',
    description:
      "Creates or replaces a UTF-8 text file in the project's workspace (directories are created). The step's changes are committed in your name when the step ends.",
    schema: z.object({ path: PathSchema, content: z.string().max(262_144) }).strict(),
    async run(args) {
      const written = await workspace.write(args.path, args.content);
      return {
        kind: 'result',
        content: JSON.stringify({ written: written.path, bytes: written.bytes }),
        changed: [written.path],
      };
    },
  };
}

export function listFilesTool(workspace: ProjectWorkspace): AgentTool<{ path?: string | undefined }> {
  return {
    name: 'list_files',
    description:
      "Lists the files under a directory of the project's workspace (recursive; default: the root).",
    schema: z.object({ path: PathSchema.optional() }).strict(),
    async run(args) {
      const files = await workspace.list(args.path ?? '.');
      return { kind: 'result', content: JSON.stringify({ files }) };
    },
  };
}
