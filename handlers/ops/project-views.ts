/**
 * What the console and the ops API show of projects: the projects a person may see, one project by id
 * or key with its latest brief, tasks and checkpoints, and the console's full detail (brief versions,
 * spend over time, the status digests sent, the audit trail with actor names).
 */
import type {
  Brief,
  Checkpoint,
  ConversationMessage,
  Identity,
  Project,
  Store,
  Task,
} from '../../ports/store.js';
import { stalledWork, type StalledWork } from '../../ports/stalled-work.js';
import { formatSpend } from '../../common/money.js';
import { projectSpend } from '../../orchestration/budget/project-spend.js';
import { findProject, showProject } from './ops-queries.js';
import { projectAudit, withActorNames, type NamedAuditEvent } from './project-audit.js';

export interface ProjectShown {
  project: Project;
  brief: Brief | null;
  tasks: Task[];
  checkpoints: Checkpoint[];
}

export interface ProjectWithVersions {
  project: Project;
  briefs: Brief[];
  tasks: Task[];
  checkpoints: Checkpoint[];
}

export interface SpendPoint {
  at: Date;
  cost: number;
  total: number;
  kind: 'llm' | 'spend';
}

export interface ProjectDetail {
  project: Project;
  owner: Identity | null;
  /** Newest first. */
  briefs: Brief[];
  tasks: Task[];
  checkpoints: Checkpoint[];
  /** `text`: the spend to the cent against the budget ("0.16 USD of 300.00 USD (<1%)"). */
  spend: { budget: Project['budget']; spent: number; text: string; series: SpendPoint[] };
  /** Empty unless asked for (operators). */
  audit: NamedAuditEvent[];
  /** Hermes's status digests kept in the project's conversation, oldest first. */
  digests: ConversationMessage[];
  /** Work stopped for a TO (a failed planning round, a task that kept failing), oldest first. */
  stalled: StalledWork[];
}

export interface ProjectViews {
  /** Every project when `all`, else the projects `ownerId` owns. */
  visible(viewer: { all: boolean; ownerId: string }): Promise<Project[]>;
  get(id: string): Promise<Project | null>;
  /** A project by id or by key. */
  find(idOrKey: string): Promise<Project | null>;
  show(idOrKey: string): Promise<ProjectShown | null>;
  tasks(projectId: string): Promise<Task[]>;
  withVersions(id: string): Promise<ProjectWithVersions | null>;
  detail(project: Project, options: { audit: boolean }): Promise<ProjectDetail>;
}

export function projectViews(store: Store): ProjectViews {
  return {
    visible: (viewer) =>
      viewer.all ? store.projects.list() : store.projects.list({ ownerId: viewer.ownerId }),
    get: (id) => store.projects.get(id),
    find: (idOrKey) => findProject(store, idOrKey),
    show: (idOrKey) => showProject(store, idOrKey),
    tasks: (projectId) => store.tasks.listByProject(projectId),
    async withVersions(id) {
      const project = await store.projects.get(id);
      if (!project) return null;
      const [briefs, tasks, checkpoints] = await Promise.all([
        store.projects.listBriefs(id),
        store.tasks.listByProject(id),
        store.checkpoints.list({ projectId: id }),
      ]);
      return { project, briefs, tasks, checkpoints };
    },
    detail: (project, options) => projectDetail(store, project, options),
  };
}

async function projectDetail(
  store: Store,
  project: Project,
  options: { audit: boolean },
): Promise<ProjectDetail> {
  const [briefs, tasks, checkpoints, ledger, owner] = await Promise.all([
    store.projects.listBriefs(project.id),
    store.tasks.listByProject(project.id),
    store.checkpoints.list({ projectId: project.id }),
    store.ledger.list({ projectId: project.id }),
    store.identities.get(project.ownerId),
  ]);
  const audit: NamedAuditEvent[] = options.audit
    ? await withActorNames(store, await projectAudit(store, project.id, checkpoints, tasks))
    : [];
  const conversations = await store.conversations.listByIdentity(project.ownerId);
  // Digests are kept in the project's conversation as Hermes's messages.
  const digests = conversations
    .filter((conversation) => conversation.projectId === project.id)
    .flatMap((conversation) => conversation.messages)
    .filter((message) => message.from === 'hermes' && message.text.startsWith('Status digest'))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  // What the ledger holds (LLM calls and approved spend), never the project row's own counter.
  const { spent } = await projectSpend(store, project);
  let cumulative = 0;
  const series = ledger
    .sort((a, b) => a.at.getTime() - b.at.getTime())
    .map((entry): SpendPoint => {
      cumulative += entry.cost;
      return { at: entry.at, cost: entry.cost, total: cumulative, kind: entry.kind };
    });
  return {
    project,
    owner,
    briefs: briefs.sort((a, b) => b.version - a.version),
    tasks,
    checkpoints,
    spend: { budget: project.budget, spent, text: formatSpend(spent, project.budget), series },
    audit,
    digests,
    stalled: stalledWork(checkpoints),
  };
}
