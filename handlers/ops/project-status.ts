/**
 * Project status for a person asking in chat (Slack's `/hermes status` and `/hermes pending`), from stored
 * state only: a project named by id or key if the asker may read it; an operator's active projects or a
 * client's own, each with its tasks and how many checkpoints wait on it; the pending checkpoints, oldest
 * first. How it reads is the surface's.
 */
import type { Checkpoint, Identity, Project, Store, Task } from '../../ports/store.js';
import { evaluate } from '../access/policy.js';
import { findProject } from './ops-queries.js';
import { withLedgerSpend } from '../../orchestration/budget/project-spend.js';

export interface ProjectStatus {
  project: Project;
  tasks: Task[];
  /** Pending checkpoints of the project. */
  waiting: number;
}

export interface PendingCheckpoint {
  checkpoint: Checkpoint;
  project: Project | null;
}

export interface ProjectStatuses {
  /** The project named (id or key) when `who` may read it; null when there is no such project they may read. */
  named(who: Identity | null, name: string): Promise<ProjectStatus | null>;
  /** An operator's active projects, or a client's own: the first `limit`, and how many there are. */
  listed(who: Identity, limit: number): Promise<{ statuses: ProjectStatus[]; total: number }>;
  /** The pending checkpoints, oldest first: the first `limit` with their project, and how many there are. */
  pending(limit: number): Promise<{ pending: PendingCheckpoint[]; total: number }>;
}

const ACTIVE: Project['status'][] = ['planning', 'awaiting_approval', 'active', 'on_hold'];

/** TOs and admins see every project; clients their own. */
export function isOperator(identity: Identity | null): boolean {
  return identity !== null && identity.role !== 'client';
}

export function projectStatuses(store: Store): ProjectStatuses {
  async function statusOf(project: Project): Promise<ProjectStatus> {
    const [tasks, checkpoints] = await Promise.all([
      store.tasks.listByProject(project.id),
      store.checkpoints.list({ projectId: project.id, status: ['pending'] }),
    ]);
    return { project: await withLedgerSpend(store, project), tasks, waiting: checkpoints.length };
  }

  return {
    async named(who, name) {
      const project = await findProject(store, name);
      if (project === null || who === null) return null;
      const allowed = evaluate({ kind: 'person', identityId: who.id, role: who.role }, 'project.read', {
        projectId: project.id,
        ownerId: project.ownerId,
      }).allowed;
      return allowed ? statusOf(project) : null;
    },
    async listed(who, limit) {
      const projects = isOperator(who)
        ? await store.projects.list({ status: ACTIVE })
        : await store.projects.list({ ownerId: who.id });
      const statuses = await Promise.all(projects.slice(0, limit).map(statusOf));
      return { statuses, total: projects.length };
    },
    async pending(limit) {
      const checkpoints = (await store.checkpoints.list({ status: ['pending'] })).sort(
        (a, b) => a.createdAt.getTime() - b.createdAt.getTime(),
      );
      const pending = await Promise.all(
        checkpoints.slice(0, limit).map(async (checkpoint) => ({
          checkpoint,
          project: await store.projects.get(checkpoint.projectId),
        })),
      );
      return { pending, total: checkpoints.length };
    },
  };
}
