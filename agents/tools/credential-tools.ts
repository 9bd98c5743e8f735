/**
 * `request_credential`: an agent asks for what its task needs — a named service, the credential's name,
 * the one DNS host it will be sent to and a purpose the TO can act on. A credential is asked for once per
 * project and service: the first task to ask opens a `credential` checkpoint (showing the TO exactly that,
 * the task and the tool that will use it) and waits; a later task asking for the same service joins it —
 * it waits on the pending checkpoint, or, when the value was provided already, gets its own lease at once
 * (a refused one is answered at once too). When a TO provides the value
 * (handlers/checkpoints/provide-credential.ts), every waiting task gets a lease and resumes; the agent's
 * answer is the lease id — a handle, never the value.
 */
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { CheckpointGateway } from '../../ports/agent-gateways.js';
import type { Checkpoint, Store } from '../../ports/store.js';
import type { Vault } from '../../ports/vault.js';
import type { AgentTool, ToolContext, ToolOutcome } from './agent-tool.js';
import {
  CREDENTIAL_TOOLS,
  CredentialNameSchema,
  DEFAULT_LEASE_MINUTES,
  credentialAnswer,
  credentialDetails,
  secretNameFor,
} from './credential-lease.js';

export interface CredentialToolDeps {
  store: Store;
  checkpoints: CheckpointGateway;
  vault: Vault;
  /** How long a granted lease lasts (default 60 minutes). */
  leaseMinutes?: number;
}

const LABEL = '[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?';
/** A DNS name of two labels or more ending in a letter label, or an IPv4 address; `:port` when needed. */
export const HOST_PATTERN = new RegExp(
  `^(?:(?:${LABEL}\\.)+[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?|(?:\\d{1,3}\\.){3}\\d{1,3})(?::\\d{1,5})?$`,
);

/** Why `host` is not a host name, in words the model can act on; null when it is one. */
export function hostProblem(host: string): string | null {
  if (HOST_PATTERN.test(host)) {
    const port = /:(\d+)$/.exec(host)?.[1];
    if (port !== undefined && (Number(port) < 1 || Number(port) > 65_535))
      return `"${host}" has no valid port (1 to 65535)`;
    return null;
  }
  if (/^[a-z0-9-]+(?::\d+)?$/.test(host))
    return `"${host}" is a single word, not a DNS host name: give the host of the API the credential is sent to, e.g. "getpocket.com" or "api.github.com"`;
  if (/[/?#@\s]/.test(host) || host.includes('://'))
    return `"${host}" is not a bare host name: give only the host of the URL (e.g. "getpocket.com"), without scheme, path or spaces`;
  return `"${host}" is not a DNS host name such as "getpocket.com" or "api.github.com"`;
}

/** The key a service is asked for under: lower case, words joined by "-" ("Pocket API" → "pocket-api"). */
export function serviceKeyOf(service: string): string {
  return service
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

export const RequestCredentialArgs = z
  .object({
    service: z
      .string()
      .trim()
      .min(2)
      .max(60)
      .refine((service) => /\p{L}/u.test(service), 'the service must be named, e.g. "Pocket" or "GitHub"')
      .describe(
        'the service the credential belongs to, as its provider names it (e.g. "Pocket", "GitHub"); a credential is asked for once per project and service, so every task that needs it gets it from one request',
      ),
    name: CredentialNameSchema.describe(
      'the credential\'s name, lower case with "_" (e.g. "pocket_consumer_key", "github_token")',
    ),
    purpose: z
      .string()
      .trim()
      .min(8, 'say what the credential is for and what will be done with it, in a sentence')
      .max(500)
      .refine(
        (purpose) => purpose.split(/\s+/).length >= 2,
        'say what the credential is for and what will be done with it, in a sentence',
      )
      .describe(
        'what the credential is needed for and what the task will do with it, in words the operator can act on (e.g. "read the client\'s saved Pocket articles for the daily digest")',
      ),
    host: z
      .string()
      .trim()
      .toLowerCase()
      .superRefine((host, ctx) => {
        const problem = hostProblem(host);
        if (problem !== null) ctx.addIssue({ code: 'custom', message: problem });
      })
      .meta({
        pattern: HOST_PATTERN.source,
        examples: ['getpocket.com', 'api.github.com', 'api.example.com:8443'],
      })
      .describe(
        'the DNS host name of the API the credential will be sent to, and the only one it may be sent to (e.g. "getpocket.com"; with :port when not the default); not a word such as "project"',
      ),
    tool: z.enum(CREDENTIAL_TOOLS).optional().describe('the tool that will use it (default http_request)'),
  })
  .strict();
export type RequestCredentialArgs = z.infer<typeof RequestCredentialArgs>;

const OPEN_OR_GRANTED = new Set<Checkpoint['status']>(['pending', 'approved', 'modified', 'rejected']);

export function requestCredentialTool(deps: CredentialToolDeps): AgentTool<RequestCredentialArgs> {
  const leaseMinutes = deps.leaseMinutes ?? DEFAULT_LEASE_MINUTES;
  return {
    name: 'request_credential',
    description:
      'Ask a Technical Operator for a credential (API key or token) as soon as you know the task needs one: name the service, the credential, the DNS host it is sent to and what it is for. Asked once per project and service: if another task asked already you wait on the same request, or get the credential at once. On approval you get a handle to pass to http_request as "credential" — never the value itself.',
    schema: RequestCredentialArgs,
    answerDecision: (checkpoint, context) =>
      credentialAnswer(deps.store, deps.vault, checkpoint, context.task.id),
    async run(args, context) {
      const call = { step: context.step, callId: context.callId };
      const earlier = (await deps.store.checkpoints.list({ projectId: context.project.id })).find(
        (checkpoint) =>
          checkpoint.kind === 'credential' &&
          checkpoint.taskId === context.task.id &&
          isDeepStrictEqual(checkpoint.request.details.call, call),
      );
      if (earlier) return answerFor(deps, earlier, context);
      const serviceKey = serviceKeyOf(args.service);
      return deps.checkpoints.exclusive(context.project.id, `credential:${serviceKey}`, async () => {
        const existing = (await deps.store.checkpoints.list({ projectId: context.project.id }))
          .filter(
            (checkpoint) =>
              OPEN_OR_GRANTED.has(checkpoint.status) &&
              credentialDetails(checkpoint)?.serviceKey === serviceKey,
          )
          .at(-1);
        if (existing) return join(deps, existing, args, context);
        const tool = args.tool ?? 'http_request';
        const checkpoint = await deps.checkpoints.open({
          projectId: context.project.id,
          taskId: context.task.id,
          kind: 'credential',
          requestedBy: context.actor,
          waiters: [waiterOf(context)],
          request: {
            title: `${args.service} credential "${args.name}"`,
            summary: `${context.task.role}'s task ${context.task.key} asks for the ${args.service} credential "${args.name}" to send to ${args.host} with ${tool}: ${args.purpose}\nProvide the value to approve (it goes to the vault; each task waiting on it gets a handle valid for that task and tool for ${leaseMinutes} minutes). Reject to refuse. Other tasks of the project that need ${args.service} wait on this one request.`,
            details: {
              credential: args.name,
              service: args.service,
              serviceKey,
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
      });
    },
  };
}

function waiterOf(context: ToolContext) {
  const { task } = context;
  return { taskId: task.id, taskKey: task.key, role: task.role, title: task.title };
}

/** A later task asking for a service the project asked for already: it shares that request. */
async function join(
  deps: CredentialToolDeps,
  checkpoint: Checkpoint,
  args: RequestCredentialArgs,
  context: ToolContext,
): Promise<ToolOutcome> {
  const details = credentialDetails(checkpoint)!;
  if (details.host !== args.host) {
    return {
      kind: 'result',
      content: JSON.stringify({
        error: `the ${details.service ?? args.service} credential of this project was requested for ${details.host} and may be sent only there; use that host, or name a different service if you need a different credential`,
        service: details.service ?? args.service,
        host: details.host,
        checkpointId: checkpoint.id,
      }),
    };
  }
  const joined = (await deps.checkpoints.join(checkpoint.id, waiterOf(context), context.actor)) ?? checkpoint;
  return answerFor(deps, joined, context);
}

async function answerFor(
  deps: CredentialToolDeps,
  checkpoint: Checkpoint,
  context: ToolContext,
): Promise<ToolOutcome> {
  if (checkpoint.status === 'pending') return { kind: 'wait', checkpointId: checkpoint.id };
  return {
    kind: 'result',
    content: await credentialAnswer(deps.store, deps.vault, checkpoint, context.task.id),
  };
}
