/**
 * A TO provides the value a `credential` checkpoint asks for (Slack's "Provide credential" modal, the
 * CLI): only someone allowed to decide checkpoints may; the value goes straight into the vault under
 * the project's name for that credential (`olympus-<project key>-<credential>`), the checkpoint is
 * approved through the one decision handler, and a lease pinned to the new version is issued to every task
 * waiting on it (the one that asked and each that joined it), for the named tool. If the decision does not go through (someone decided first, the card was stale), the new
 * version is destroyed. The database only ever sees names and versions.
 */
import { hasCode } from '../../common/errors.js';
import type { Identity, Store } from '../../ports/store.js';
import { assertValue, type Vault } from '../../ports/vault.js';
import {
  credentialDetails,
  issueLease,
  labelValue,
  waitingTaskIds,
} from '../../agents/tools/credential-lease.js';
import { decideCheckpoint, precheckDecision, type DecideCheckpointResult } from './decide-checkpoint.js';
import type { JobQueue } from '../../ports/job-queue.js';

export interface ProvideCredentialInput {
  store: Store;
  vault: Vault;
  jobs: JobQueue;
  checkpointId: string;
  /** The secret value; never logged, never stored outside the vault. */
  value: string;
  /** The TO providing it (null: someone Olympus does not know, refused). */
  by: Identity | null;
  /** How to name the provider in the audit log when unknown (e.g. `slack:U123`). */
  byLabel?: string;
  /** The action hash the TO was shown (cards carry it); undefined when the caller showed the current state. */
  actionHash?: string | null;
}

export type ProvideCredentialResult = DecideCheckpointResult | { status: 'invalid'; message: string };

export async function provideCredential(input: ProvideCredentialInput): Promise<ProvideCredentialResult> {
  const { store, vault, checkpointId, by } = input;
  const deciderLabel = input.byLabel ?? (by ? by.id : 'unknown');
  const precheck = await precheckDecision({
    store,
    checkpointId,
    decider: by,
    deciderLabel,
    outcome: 'approved',
    ...(input.actionHash !== undefined ? { actionHash: input.actionHash } : {}),
  });
  if (precheck) return precheck;
  const checkpoint = await store.checkpoints.get(checkpointId);
  const details = checkpoint ? credentialDetails(checkpoint) : null;
  if (!checkpoint || !details || checkpoint.taskId === null || by === null)
    return { status: 'invalid', message: 'This checkpoint does not ask for a credential.' };
  if (typeof input.value !== 'string' || input.value.length === 0)
    return { status: 'invalid', message: 'The credential value is empty. Nothing was stored or decided.' };
  try {
    assertValue(input.value);
  } catch {
    return {
      status: 'invalid',
      message: 'The credential value is too large. Nothing was stored or decided.',
    };
  }

  try {
    await vault.createSecret(details.secretName, {
      project: labelValue(details.projectKey),
      purpose: 'credential',
      credential: labelValue(details.credential),
    });
  } catch (error) {
    if (!hasCode(error, 'SECRET_EXISTS')) throw error;
  }
  const version = await vault.addVersion(details.secretName, input.value);
  await store.audit.append({
    actor: by.id,
    action: 'credential.provided',
    subjectType: 'checkpoint',
    subjectId: checkpointId,
    data: { credential: details.credential, secretName: details.secretName, secretVersion: version },
  });
  const decision = await decideCheckpoint({
    store,
    jobs: input.jobs,
    checkpointId,
    decider: by,
    deciderLabel,
    outcome: 'approved',
    ...(input.actionHash !== undefined ? { actionHash: input.actionHash } : {}),
  });
  if (decision.status === 'decided') {
    // The tasks may already be resuming: whoever issues first (here or its answer) wins, same version.
    for (const taskId of waitingTaskIds(decision.checkpoint))
      await issueLease(store, decision.checkpoint, version, by.id, { taskId });
  } else {
    await vault.destroyVersion(details.secretName, version);
    await store.audit.append({
      actor: by.id,
      action: 'credential.withdrawn',
      subjectType: 'checkpoint',
      subjectId: checkpointId,
      data: { secretName: details.secretName, secretVersion: version, because: decision.status },
    });
  }
  return decision;
}
