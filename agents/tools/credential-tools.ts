/**
 * `request_credential`: an agent asks for a credential by name, purpose and the host it will be sent to.
 * The tool opens a `credential` checkpoint showing the TO exactly that (and the task and the tool that will
 * use it) and the agent waits. When a TO provides the value (handlers/checkpoints/provide-credential.ts),
 * the approval issues a lease; the agent's answer is the lease id — a handle, never the value.
 */
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { CheckpointGateway } from '../../ports/agent-gateways.js';
import type { Checkpoint, Store } from '../../ports/store.js';
import type { Vault } from '../../ports/vault.js';
import type { AgentTool } from './agent-tool.js';
import {
  CREDENTIAL_TOOLS,
  CredentialNameSchema,
  DEFAULT_LEASE_MINUTES,
  credentialAnswer,
  secretNameFor,
} from './credential-lease.js';

export interface CredentialToolDeps {
  store: Store;
  checkpoints: CheckpointGateway;
  vault: Vault;
  /** How long a granted lease lasts (default 60 minutes). */
  leaseMinutes?: number;
}

/** `host` or `host:port`, as in a URL. */
const HOST =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::\d{1,5})?$/;

export const RequestCredentialArgs = z
  .object({
    name: CredentialNameSchema.describe('the credential, e.g. "github_token"'),
    purpose: z.string().trim().min(1).max(500).describe('what it is needed for, shown to the operator'),
    host: z
      .string()
      .trim()
      .toLowerCase()
      .regex(HOST, 'a host name such as api.github.com (with :port when not the default)')
      .describe('the only host the credential will be sent to'),
    tool: z.enum(CREDENTIAL_TOOLS).optional().describe('the tool that will use it (default http_request)'),
  })
  .strict();
export type RequestCredentialArgs = z.infer<typeof RequestCredentialArgs>;

export function requestCredentialTool(deps: CredentialToolDeps): AgentTool<RequestCredentialArgs> {
  const leaseMinutes = deps.leaseMinutes ?? DEFAULT_LEASE_MINUTES;
  const answerDecision = (checkpoint: Checkpoint): Promise<string> =>
    credentialAnswer(deps.store, deps.vault, checkpoint);
  return {
    name: 'request_credential',
    description:
      'Ask a Technical Operator for a credential (API token). Waits for their decision; on approval you get a handle to pass to http_request as "credential" — never the value itself.',
    schema: RequestCredentialArgs,
    answerDecision,
    async run(args, context) {
      const call = { step: context.step, callId: context.callId };
      const earlier = (await deps.store.checkpoints.list({ projectId: context.project.id })).find(
        (checkpoint) =>
          checkpoint.kind === 'credential' &&
          checkpoint.taskId === context.task.id &&
          isDeepStrictEqual(checkpoint.request.details.call, call),
      );
      if (earlier) {
        return earlier.status === 'pending'
          ? { kind: 'wait', checkpointId: earlier.id }
          : { kind: 'result', content: await answerDecision(earlier) };
      }
      const tool = args.tool ?? 'http_request';
      const checkpoint = await deps.checkpoints.open({
        projectId: context.project.id,
        taskId: context.task.id,
        kind: 'credential',
        requestedBy: context.actor,
        request: {
          title: `Credential "${args.name}" for ${context.task.key}`,
          summary: `${context.task.role}'s task ${context.task.key} asks for the credential "${args.name}" to send to ${args.host} with ${tool}: ${args.purpose}\nProvide the value to approve (it goes to the vault; the agent only gets a handle valid for this task and tool for ${leaseMinutes} minutes). Reject to refuse.`,
          details: {
            credential: args.name,
            purpose: args.purpose,
            host: args.host,
            tool,
            projectKey: context.project.key,
            taskId: context.task.id,
            taskKey: context.task.key,
            secretName: secretNameFor(context.project.key, args.name),
            leaseMinutes,
            call,
          },
        },
      });
      return { kind: 'wait', checkpointId: checkpoint.id };
    },
  };
}
