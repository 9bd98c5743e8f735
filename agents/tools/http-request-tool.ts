/**
 * `http_request`: an HTTP call an agent makes, optionally with a credential. The agent passes the
 * credential's handle (a lease id); the tool resolves the value here, at call time, from the vault — only
 * when the lease is current, was issued to this task for this tool, and the URL's host is the one the TO
 * approved — and sends it as `Authorization: Bearer <value>`. Every access is audited as
 * `secret.accessed` (never with the value); every refusal as `secret.access_denied`. The response goes
 * back to the model with any occurrence of the value removed. Without a credential, internal addresses
 * (loopback, private ranges: Olympus's own APIs among them) are refused; redirects are never followed.
 */
import { z } from 'zod';
import { errorMessage } from '../../common/errors.js';
import type { Store } from '../../ports/store.js';
import type { Vault } from '../../ports/vault.js';
import type { AgentTool, ToolContext, ToolOutcome } from './agent-tool.js';
import { credentialDetails } from './credential-lease.js';
import { internalAddressOf } from './network-guard.js';

export interface HttpRequestToolDeps {
  store: Store;
  vault: Vault;
  /** Time limit of one request (default 30 s). */
  timeoutMs?: number;
  /** Most response characters given back to the model (default 20,000). */
  maxResponseChars?: number;
  now?: () => Date;
  /** Lets requests without a credential reach internal addresses (development setups only; default off). */
  allowInternalNetworks?: boolean;
}

const FORBIDDEN_HEADERS = /^(authorization|proxy-authorization|cookie|host)$/i;

export const HttpRequestArgs = z
  .object({
    url: z.url({ protocol: /^https?$/ }).describe('http(s) URL'),
    method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']).optional().describe('default GET'),
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/), z.string().max(1000))
      .optional()
      .describe('extra headers (not Authorization: use "credential")'),
    body: z.string().max(100_000).optional(),
    credential: z.string().trim().max(200).optional().describe('a credential handle from request_credential'),
  })
  .strict();
export type HttpRequestArgs = z.infer<typeof HttpRequestArgs>;

const TOOL = 'http_request';

export function httpRequestTool(deps: HttpRequestToolDeps): AgentTool<HttpRequestArgs> {
  const now = deps.now ?? (() => new Date());
  const maxChars = deps.maxResponseChars ?? 20_000;
  return {
    name: TOOL,
    description:
      'Make an HTTP request. To authenticate, pass "credential": the handle request_credential gave you; it is sent as a bearer token only to the host it was approved for.',
    schema: HttpRequestArgs,
    async run(args, context) {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(args.headers ?? {})) {
        if (FORBIDDEN_HEADERS.test(name)) return result({ error: `the ${name} header is not allowed` });
        headers[name] = value;
      }
      const url = new URL(args.url);
      let secret: string | null = null;
      if (args.credential === undefined && !deps.allowInternalNetworks) {
        const internal = await internalAddressOf(url.hostname);
        if (internal !== null) {
          await deps.store.audit.append({
            actor: context.actor,
            action: 'agent.request_blocked',
            subjectType: 'task',
            subjectId: context.task.id,
            data: { tool: TOOL, host: url.host, projectId: context.project.id, reason: 'internal address' },
          });
          return result({
            error: `${url.host} is an internal address; agents may not reach it. Nothing was sent.`,
          });
        }
      }
      if (args.credential !== undefined) {
        const resolved = await resolveCredential(deps, args.credential, url, context, now());
        if ('refused' in resolved) return result({ error: resolved.refused });
        secret = resolved.value;
        headers.authorization = `Bearer ${secret}`;
      }
      try {
        const response = await fetch(url, {
          method: args.method ?? 'GET',
          headers,
          ...(args.body === undefined ? {} : { body: args.body }),
          // Redirects are not followed: a new location is a new request, checked again.
          redirect: 'manual',
          signal: AbortSignal.any([
            AbortSignal.timeout(deps.timeoutMs ?? 30_000),
            ...(context.signal ? [context.signal] : []),
          ]),
        });
        const text = await response.text();
        const location = response.headers.get('location');
        return result({
          status: response.status,
          contentType: response.headers.get('content-type'),
          ...(location ? { location: scrub(location, secret) } : {}),
          body: scrub(text.slice(0, maxChars), secret),
          ...(text.length > maxChars ? { truncated: true } : {}),
        });
      } catch (error) {
        return result({ error: `request failed: ${scrub(errorMessage(error), secret)}` });
      }
    },
  };
}

function result(value: Record<string, unknown>): ToolOutcome {
  return { kind: 'result', content: JSON.stringify(value) };
}

/** Removes the secret, and its URL- and base64-encoded forms, from text going back to the model. */
export function scrub(text: string, secret: string | null): string {
  if (secret === null || secret.length === 0) return text;
  let out = text;
  for (const form of new Set([
    secret,
    encodeURIComponent(secret),
    Buffer.from(secret).toString('base64'),
    Buffer.from(secret).toString('base64url'),
  ])) {
    if (form.length > 0) out = out.split(form).join('[REDACTED]');
  }
  return out;
}

async function resolveCredential(
  deps: HttpRequestToolDeps,
  handle: string,
  url: URL,
  context: ToolContext,
  at: Date,
): Promise<{ value: string } | { refused: string }> {
  const { store } = deps;
  const deny = async (reason: string, extra: Record<string, unknown> = {}) => {
    await store.audit.append({
      actor: context.actor,
      action: 'secret.access_denied',
      subjectType: 'task',
      subjectId: context.task.id,
      data: { handle: handle.slice(0, 80), tool: TOOL, projectId: context.project.id, reason, ...extra },
    });
    return { refused: `credential refused: ${reason}. Nothing was sent.` };
  };
  const lease = z.uuid().safeParse(handle).success ? await store.secretLeases.get(handle) : null;
  if (!lease) return deny('no such credential handle');
  if (lease.taskId !== context.task.id || lease.projectId !== context.project.id)
    return deny('the handle was issued to another task');
  if (lease.tool !== TOOL) return deny(`the handle is for ${lease.tool}`);
  if (lease.revokedAt !== null) return deny('the lease was revoked');
  if (lease.expiresAt.getTime() <= at.getTime()) return deny('the lease has expired');
  const checkpoint = await store.checkpoints.get(lease.checkpointId);
  const details = checkpoint ? credentialDetails(checkpoint) : null;
  if (!checkpoint || !details || (checkpoint.status !== 'approved' && checkpoint.status !== 'modified'))
    return deny('the credential checkpoint is not approved');
  // The URL drops its scheme's default port; an approved `host:443` or `host:80` names the same host.
  if (url.host.toLowerCase() !== details.host.replace(/:(?:443|80)$/, ''))
    return deny(`the credential was approved for ${details.host} only`, { host: url.host });
  const value = await deps.vault.access(lease.secretName, lease.secretVersion);
  await store.audit.append({
    actor: context.actor,
    action: 'secret.accessed',
    subjectType: 'task',
    subjectId: context.task.id,
    data: {
      leaseId: lease.id,
      credential: lease.credential,
      secretName: lease.secretName,
      secretVersion: lease.secretVersion,
      tool: TOOL,
      projectId: lease.projectId,
      host: url.host,
      method: 'bearer',
      step: context.step,
    },
  });
  return { value };
}
