/**
 * What the intake handler does to projects: hand a confirmed brief off (project + brief v1 + audit),
 * store a change request as the next brief version (with the changed fields audited), and gather the
 * stored state a status answer is built from.
 */
import { proposeBudgetChange } from '../../orchestration/budget/budget-change.js';
import { hasCode, OlympusError } from '../../common/errors.js';
import {
  BriefSchema,
  changedFields,
  mergeDraft,
  readDraft,
  type BriefDraft,
} from '../../agents/hermes/brief-schema.js';
import type { ProjectState } from '../../agents/hermes/status-report.js';
import type { Brief, Project, Store } from '../../ports/store.js';
import { withLedgerSpend } from '../../orchestration/budget/project-spend.js';

/** A short, unique project key from the title: "Sales Digest!" → `sales-digest`, then `sales-digest-2`… */
export function slugify(title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/g, '');
  return slug.length > 0 ? slug : 'project';
}

export async function createProjectFromBrief(
  store: Store,
  input: { draft: BriefDraft; ownerId: string; localOnly: boolean; conversationId: string },
): Promise<{ project: Project; brief: Brief }> {
  const parsed = BriefSchema.safeParse(input.draft);
  if (!parsed.success) {
    throw new OlympusError('VALIDATION', `brief is incomplete: ${parsed.error.issues[0]?.message ?? ''}`, {
      userMessage: 'The brief is not complete yet.',
    });
  }
  const brief = parsed.data;
  const base = slugify(brief.title);
  for (let attempt = 1; attempt <= 50; attempt++) {
    const key = attempt === 1 ? base : `${base}-${attempt}`;
    try {
      const created = await store.projects.create({
        key,
        title: brief.title,
        ownerId: input.ownerId,
        budget: brief.budget,
        localOnly: input.localOnly,
        status: 'planning',
        brief: brief,
        createdBy: input.ownerId,
      });
      await store.audit.append({
        actor: input.ownerId,
        action: 'project.created',
        subjectType: 'project',
        subjectId: created.project.id,
        data: { key, title: brief.title, briefVersion: 1, conversationId: input.conversationId },
      });
      return created;
    } catch (error) {
      if (!hasCode(error, 'STORE_CONFLICT')) throw error;
    }
  }
  throw new OlympusError('STORE_CONFLICT', `no free project key for "${base}"`, { retryable: true });
}

export interface ChangeResult {
  brief: Brief;
  changed: string[];
}

/** Stores the brief with `changes` applied as the next version (compare-and-set, retried); null if nothing changed. */
export async function applyChangeRequest(
  store: Store,
  input: { projectId: string; changes: BriefDraft; actor: string },
): Promise<ChangeResult | null> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const latest = await store.projects.getBrief(input.projectId);
    if (!latest) throw new OlympusError('NOT_FOUND', `project ${input.projectId} has no brief`);
    const before = readDraft(latest.content);
    const after = BriefSchema.parse(mergeDraft(before, input.changes));
    const changed = changedFields(before, after);
    if (changed.length === 0) return null;
    const stored = await store.projects.addBriefVersion(input.projectId, latest.version, after, input.actor);
    if (!stored) continue;
    // The brief records what the client asked for; the spending limit changes only when a TO approves.
    if (input.changes.budget)
      await proposeBudgetChange(store, {
        projectId: input.projectId,
        budget: input.changes.budget,
        actor: input.actor,
        reason: 'The client changed the budget in the brief',
      });
    await store.audit.append({
      actor: input.actor,
      action: 'brief.changed',
      subjectType: 'project',
      subjectId: input.projectId,
      data: { fromVersion: latest.version, toVersion: stored.version, changed },
    });
    return { brief: stored, changed };
  }
  throw new OlympusError('STORE_CONFLICT', 'the brief kept changing; try again', { retryable: true });
}

export async function loadProjectState(store: Store, projectId: string): Promise<ProjectState | null> {
  const project = await store.projects.get(projectId);
  if (!project) return null;
  const [brief, tasks, checkpoints] = await Promise.all([
    store.projects.getBrief(projectId),
    store.tasks.listByProject(projectId),
    store.checkpoints.list({ projectId }),
  ]);
  return {
    project: await withLedgerSpend(store, project),
    briefContent: brief?.content ?? null,
    tasks,
    checkpoints,
  };
}
