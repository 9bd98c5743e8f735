/**
 * Rows as PostgreSQL returns them, and their mapping to domain objects: snake_case to camelCase, bigint
 * strings to numbers, ISO strings inside JSON documents back to `Date`. Every mapper builds fresh objects.
 * This file: the planning entities; record-row-mappers.ts: ledger, audit, inbox, outbox and leases.
 */
import type {
  AgentRole,
  Artifact,
  Brief,
  CardRef,
  Checkpoint,
  CheckpointDecision,
  CheckpointKind,
  CheckpointRequest,
  CheckpointStatus,
  CheckpointWaiter,
  Conversation,
  ConversationMessage,
  Identity,
  IdentityHandle,
  IntakeState,
  Project,
  ProjectStatus,
  Role,
  Surface,
  Task,
  TaskStatus,
  ThreadRef,
} from '../../ports/domain.js';

/** int8 columns: pg returns them as strings (they may exceed 2^53); ours never do. */
export type BigintColumn = string | number;

export function toDate(value: unknown): Date {
  return value instanceof Date ? new Date(value.getTime()) : new Date(String(value));
}

export function toDateOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : toDate(value);
}

/** Identity with its handles, as selected by `IDENTITY_COLUMNS`. */
export type IdentityRow = {
  id: string;
  display_name: string;
  role: Role;
  local_only: boolean;
  timezone?: string | null;
  created_at: Date;
  handles: IdentityHandle[] | null;
};

export function toIdentity(row: IdentityRow): Identity {
  return {
    id: row.id,
    displayName: row.display_name,
    role: row.role,
    handles: (row.handles ?? []).map((h) => ({ surface: h.surface, externalId: h.externalId })),
    localOnly: row.local_only,
    ...(row.timezone ? { timezone: row.timezone } : {}),
    createdAt: toDate(row.created_at),
  };
}

export type ConversationRow = {
  id: string;
  surface: Surface;
  thread_key: string;
  identity_id: string;
  state: IntakeState;
  messages: { at: string; from: ConversationMessage['from']; text: string }[];
  draft: Record<string, unknown>;
  project_id: string | null;
  version: number;
  created_at: Date;
  updated_at: Date;
};

export function toConversation(row: ConversationRow): Conversation {
  return {
    id: row.id,
    surface: row.surface,
    threadKey: row.thread_key,
    identityId: row.identity_id,
    state: row.state,
    messages: row.messages.map((m) => ({ ...m, at: toDate(m.at) })),
    draft: row.draft,
    projectId: row.project_id,
    version: row.version,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

export type ProjectRow = {
  id: string;
  key: string;
  title: string;
  owner_id: string;
  status: ProjectStatus;
  budget_amount: number | null;
  budget_currency: string | null;
  spent: number;
  local_only: boolean;
  threads: ThreadRef[];
  brief_version: number;
  version: number;
  created_at: Date;
  updated_at: Date;
};

export function toProject(row: ProjectRow): Project {
  return {
    id: row.id,
    key: row.key,
    title: row.title,
    ownerId: row.owner_id,
    status: row.status,
    budget:
      row.budget_amount === null || row.budget_currency === null
        ? null
        : { amount: row.budget_amount, currency: row.budget_currency },
    spent: row.spent,
    localOnly: row.local_only,
    threads: row.threads,
    briefVersion: row.brief_version,
    version: row.version,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

export type BriefRow = {
  project_id: string;
  version: number;
  content: Record<string, unknown>;
  created_by: string;
  created_at: Date;
};

export function toBrief(row: BriefRow): Brief {
  return {
    projectId: row.project_id,
    version: row.version,
    content: row.content,
    createdBy: row.created_by,
    createdAt: toDate(row.created_at),
  };
}

export type TaskRow = {
  id: string;
  project_id: string;
  key: string;
  role: AgentRole;
  title: string;
  spec: string;
  acceptance: string[];
  depends_on: string[];
  status: TaskStatus;
  attempts: number;
  fence: BigintColumn;
  lease_holder: string | null;
  lease_expires_at: Date | null;
  artifacts: Artifact[];
  cost: number;
  last_error: string | null;
  created_at: Date;
  updated_at: Date;
};

export function toTask(row: TaskRow): Task {
  return {
    id: row.id,
    projectId: row.project_id,
    key: row.key,
    role: row.role,
    title: row.title,
    spec: row.spec,
    acceptance: [...row.acceptance],
    dependsOn: [...row.depends_on],
    status: row.status,
    attempts: row.attempts,
    fence: Number(row.fence),
    leaseHolder: row.lease_holder,
    leaseExpiresAt: toDateOrNull(row.lease_expires_at),
    artifacts: row.artifacts,
    cost: row.cost,
    lastError: row.last_error,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

export type CheckpointRow = {
  id: string;
  project_id: string;
  task_id: string | null;
  kind: CheckpointKind;
  requested_by: string;
  request: CheckpointRequest;
  status: CheckpointStatus;
  decision: (Omit<CheckpointDecision, 'at'> & { at: string }) | null;
  cards: CardRef[];
  waiters: (Omit<CheckpointWaiter, 'at'> & { at: string })[] | null;
  reminders_sent: number;
  expires_at: Date | null;
  created_at: Date;
  decided_at: Date | null;
};

export function toCheckpoint(row: CheckpointRow): Checkpoint {
  return {
    id: row.id,
    projectId: row.project_id,
    taskId: row.task_id,
    kind: row.kind,
    requestedBy: row.requested_by,
    request: row.request,
    status: row.status,
    decision: row.decision === null ? null : { ...row.decision, at: toDate(row.decision.at) },
    cards: row.cards,
    waiters: (row.waiters ?? []).map((waiter) => ({
      taskId: waiter.taskId,
      taskKey: waiter.taskKey,
      role: waiter.role,
      title: waiter.title,
      at: toDate(waiter.at),
    })),
    remindersSent: row.reminders_sent,
    expiresAt: toDateOrNull(row.expires_at),
    createdAt: toDate(row.created_at),
    decidedAt: toDateOrNull(row.decided_at),
  };
}
