/** `finish`: the agent reports the task done with a summary and the artifacts it produced. */
import { z } from 'zod';
import type { AgentTool } from './agent-tool.js';

export const FinishSchema = z
  .object({
    summary: z.string().trim().min(1).max(4000).describe('What was delivered, in a few sentences'),
    artifacts: z
      .array(
        z
          .object({
            kind: z.string().trim().min(1).max(40).describe('e.g. file, commit, document'),
            ref: z.string().trim().min(1).max(500).describe('e.g. a workspace path'),
            note: z.string().max(500).optional(),
          })
          .strict(),
      )
      .max(50)
      .default([]),
  })
  .strict();

export function finishTool(): AgentTool<z.infer<typeof FinishSchema>> {
  return {
    name: 'finish',
    description:
      'Ends the task: call it once the acceptance criteria are met, with a summary and the artifacts.',
    schema: FinishSchema,
    run(args) {
      const artifacts = args.artifacts.map((artifact) => ({
        kind: artifact.kind,
        ref: artifact.ref,
        ...(artifact.note === undefined ? {} : { note: artifact.note }),
      }));
      return Promise.resolve({ kind: 'finish', summary: args.summary, artifacts });
    },
  };
}
