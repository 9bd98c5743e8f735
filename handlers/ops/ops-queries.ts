/**
 * The operators' view used by the ops CLI (through bot/ops/ops-routes.ts): projects, tasks and
 * checkpoints as stored, and checkpoint decisions through the one decision handler Slack buttons use.
 */
import { z } from 'zod';
import type { Checkpoint, Identity, IdentityHandle, Project, Store, Surface } from '../../ports/store.js';
import {
  decideCheckpoint,
  type DecideCheckpointResult,
  type DecisionOutcome,
} from '../checkpoints/decide-checkpoint.js';
import type { JobQueue } from '../../ports/job-queue.js';

const SURFACES: Surface[] = ['slack', 'discord', 'email', 'console'];

/** A project by id or by key. */
export async function findProject(store: Store, idOrKey: string): Promise<Project | null> {
  if (z.uuid().safeParse(idOrKey).success) return store.projects.get(idOrKey);
  return store.projects.getByKey(idOrKey);
}

export async function showProject(store: Store, idOrKey: string) {
  const project = await findProject(store, idOrKey);
  if (!project) return null;
  const [brief, tasks, checkpoints] = await Promise.all([
    store.projects.getBrief(project.id),
    store.tasks.listByProject(project.id),
    store.checkpoints.list({ projectId: project.id }),
  ]);
  return { project, brief, tasks, checkpoints };
}

export async function listCheckpoints(store: Store, pendingOnly: boolean): Promise<Checkpoint[]> {
  const all = await store.checkpoints.list(pendingOnly ? { status: ['pending'] } : {});
  return all.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
}

/**
 * Who `--as` names: an identity id, `surface:external-id` (e.g. `slack:U123`), an email address, or a
 * console name. Never creates an identity: an unknown decider is refused (and audited) by the handler.
 */
export async function resolveIdentity(store: Store, as: string): Promise<Identity | null> {
  const text = as.trim();
  if (z.uuid().safeParse(text).success) return store.identities.get(text);
  return store.identities.findByHandle(handleOf(text));
}

export function handleOf(as: string): IdentityHandle {
  const colon = as.indexOf(':');
  const surface = as.slice(0, colon) as Surface;
  if (colon > 0 && SURFACES.includes(surface)) {
    const externalId = as.slice(colon + 1);
    return {
      surface,
      externalId: surface === 'email' || surface === 'console' ? externalId.toLowerCase() : externalId,
    };
  }
  const lowered = as.toLowerCase();
  if (z.email().safeParse(lowered).success) return { surface: 'email', externalId: lowered };
  return { surface: 'console', externalId: lowered };
}

export interface OpsDecisionInput {
  store: Store;
  jobs: JobQueue;
  checkpointId: string;
  as: string;
  outcome: DecisionOutcome;
  changes?: string;
  reason?: string;
}

export async function decideAs(input: OpsDecisionInput): Promise<DecideCheckpointResult> {
  const decider = await resolveIdentity(input.store, input.as);
  return decideCheckpoint({
    store: input.store,
    jobs: input.jobs,
    checkpointId: input.checkpointId,
    decider,
    deciderLabel: `cli:${input.as}`,
    outcome: input.outcome,
    ...(input.changes !== undefined ? { changes: input.changes } : {}),
    ...(input.reason !== undefined ? { reason: input.reason } : {}),
  });
}
