/**
 * Credentials as the agents and the TOs see them: a credential checkpoint names the credential, its
 * purpose, the host it may be sent to and the one tool that may use it; a TO's approval (with the value
 * stored in the vault) issues a lease bound to that task and tool until it expires. The agent only ever
 * holds the lease id. The vault secret's name is derived from the project and the credential's name.
 */
import { z } from 'zod';
import { newId } from '../../common/ids.js';
import type { Checkpoint, SecretLease, Store } from '../../ports/store.js';
import type { Vault } from '../../ports/vault.js';

/** Tools that can use a credential (the lease names one). */
export const CREDENTIAL_TOOLS = ['http_request'] as const;
export type CredentialTool = (typeof CREDENTIAL_TOOLS)[number];

export const DEFAULT_LEASE_MINUTES = 60;

export const CredentialNameSchema = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'lower-case letters, digits and "_", starting with a letter, at most 63');

/** What a credential checkpoint's details hold (and so what its action hash covers). */
export const CredentialDetailsSchema = z.object({
  credential: CredentialNameSchema,
  /** The service as the agent named it ("Pocket"), and its key: one checkpoint per project and key. */
  service: z.string().optional(),
  serviceKey: z.string().optional(),
  purpose: z.string(),
  host: z.string(),
  tool: z.enum(CREDENTIAL_TOOLS),
  projectKey: z.string(),
  taskId: z.string(),
  taskKey: z.string(),
  secretName: z.string(),
  leaseMinutes: z.number().int().positive(),
});
export type CredentialDetails = z.infer<typeof CredentialDetailsSchema>;

/** The vault secret holding a project's credential: `olympus-<project key>-<credential>`. */
export function secretNameFor(projectKey: string, credential: string): string {
  const project = projectKey.replace(/[^a-zA-Z0-9_-]/g, '-').slice(0, 120);
  return `olympus-${project}-${credential}`;
}

/** A label value Google Secret Manager accepts (lower case, at most 63 characters). */
export function labelValue(text: string): string {
  return (
    text
      .toLowerCase()
      .replace(/[^\p{Ll}\p{Lo}\p{N}_-]/gu, '-')
      .slice(0, 63) || 'none'
  );
}

export function credentialDetails(checkpoint: Checkpoint): CredentialDetails | null {
  if (checkpoint.kind !== 'credential') return null;
  const parsed = CredentialDetailsSchema.safeParse(checkpoint.request.details);
  return parsed.success ? parsed.data : null;
}

/** The tasks a credential checkpoint serves: its own task, then every task that joined it. */
export function waitingTaskIds(checkpoint: Checkpoint): string[] {
  const ids = checkpoint.taskId === null ? [] : [checkpoint.taskId];
  for (const waiter of checkpoint.waiters) if (!ids.includes(waiter.taskId)) ids.push(waiter.taskId);
  return ids;
}

/**
 * Issues (once per task) the lease an approved credential checkpoint grants to one of the tasks it serves
 * (default: its own task), pinned to `version`.
 */
export async function issueLease(
  store: Store,
  checkpoint: Checkpoint,
  version: string,
  grantedBy: string,
  options: { taskId?: string | null; now?: Date } = {},
): Promise<SecretLease | null> {
  const details = credentialDetails(checkpoint);
  const taskId = options.taskId ?? checkpoint.taskId;
  if (!details || taskId === null) return null;
  const now = options.now ?? new Date();
  const id = newId();
  const lease = await store.secretLeases.issue({
    id,
    projectId: checkpoint.projectId,
    taskId,
    tool: details.tool,
    credential: details.credential,
    secretName: details.secretName,
    secretVersion: version,
    checkpointId: checkpoint.id,
    grantedBy,
    expiresAt: new Date(now.getTime() + details.leaseMinutes * 60_000),
  });
  if (lease.id === id) {
    await store.audit.append({
      actor: grantedBy,
      action: 'secret.lease_issued',
      subjectType: 'task',
      subjectId: lease.taskId,
      data: {
        leaseId: lease.id,
        checkpointId: checkpoint.id,
        credential: lease.credential,
        secretName: lease.secretName,
        secretVersion: lease.secretVersion,
        tool: lease.tool,
        expiresAt: lease.expiresAt.toISOString(),
      },
    });
  }
  return lease;
}

/** The newest enabled version of a secret, or null when the vault holds none. */
export async function newestEnabledVersion(vault: Vault, secretName: string): Promise<string | null> {
  try {
    const versions = await vault.listVersions(secretName);
    return versions.filter((v) => v.state === 'enabled').at(-1)?.version ?? null;
  } catch {
    return null;
  }
}

/**
 * What the agent of `taskId` (default: the checkpoint's own task) is told when the credential checkpoint
 * it waits on is decided: on approval its lease id (the handle) — never the value; a lease is issued here
 * if none was issued to the task yet (an approval without a new value, a task that joined after the
 * value was provided) and the vault holds one for this project's credential.
 */
export async function credentialAnswer(
  store: Store,
  vault: Vault,
  checkpoint: Checkpoint,
  taskId: string | null = checkpoint.taskId,
): Promise<string> {
  const details = credentialDetails(checkpoint);
  if (!details) return JSON.stringify({ status: checkpoint.status, error: 'not a credential checkpoint' });
  if (checkpoint.status === 'approved' || checkpoint.status === 'modified') {
    let lease = taskId === null ? null : await store.secretLeases.getByCheckpoint(checkpoint.id, taskId);
    if (!lease && taskId !== null) {
      const version = await newestEnabledVersion(vault, details.secretName);
      if (version !== null)
        lease = await issueLease(store, checkpoint, version, checkpoint.decision?.by ?? 'system', { taskId });
    }
    if (!lease) {
      return JSON.stringify({
        status: 'approved_without_value',
        credential: details.credential,
        message:
          'A Technical Operator approved, but no value is stored for this credential yet. Do not retry; continue without it or finish and say so.',
      });
    }
    return JSON.stringify({
      status: 'approved',
      credential: details.credential,
      handle: lease.id,
      tool: lease.tool,
      host: details.host,
      expiresAt: lease.expiresAt.toISOString(),
      usage: `Pass "credential": "${lease.id}" to ${lease.tool} for requests to ${details.host}. The value itself is never shown to you.`,
    });
  }
  return JSON.stringify({
    status: checkpoint.status,
    credential: details.credential,
    reason: checkpoint.decision?.reason ?? null,
    message: 'The credential was not granted.',
  });
}
