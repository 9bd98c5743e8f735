/** Document ⇄ domain mapping: fresh objects, `id` from `_id`, none of the documents' own bookkeeping. */
import type {
  AuditEvent,
  Brief,
  Checkpoint,
  Conversation,
  Identity,
  InboxEntry,
  LedgerEntry,
  Lease,
  OutboxEntry,
  Project,
  Task,
} from '../../ports/domain.js';
import type {
  AuditDoc,
  BriefDoc,
  CheckpointDoc,
  ConversationDoc,
  IdentityDoc,
  InboxDoc,
  LedgerDoc,
  LeaseDoc,
  OutboxDoc,
  ProjectDoc,
  TaskDoc,
} from './documents.js';
import { normalizeHandle } from './documents.js';

export function toIdentity(doc: IdentityDoc): Identity {
  return {
    id: doc._id,
    displayName: doc.displayName,
    role: doc.role,
    handles: doc.handles.map(normalizeHandle),
    localOnly: doc.localOnly,
    ...(doc.timezone ? { timezone: doc.timezone } : {}),
    createdAt: doc.createdAt,
  };
}

export function toConversation(doc: ConversationDoc): Conversation {
  return {
    id: doc._id,
    surface: doc.surface,
    threadKey: doc.threadKey,
    identityId: doc.identityId,
    state: doc.state,
    messages: doc.messages.map((m) => ({ at: m.at, from: m.from, text: m.text })),
    draft: doc.draft ?? {},
    projectId: doc.projectId ?? null,
    version: doc.version,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

export function toProject(doc: ProjectDoc): Project {
  return {
    id: doc._id,
    key: doc.key,
    title: doc.title,
    ownerId: doc.ownerId,
    status: doc.status,
    budget: doc.budget ? { amount: doc.budget.amount, currency: doc.budget.currency } : null,
    spent: doc.spent,
    localOnly: doc.localOnly,
    threads: doc.threads.map((t) => ({ surface: t.surface, channel: t.channel, threadKey: t.threadKey })),
    briefVersion: doc.briefVersion,
    version: doc.version,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

export function toBrief(doc: BriefDoc): Brief {
  return {
    projectId: doc.projectId,
    version: doc.version,
    content: doc.content ?? {},
    createdBy: doc.createdBy,
    createdAt: doc.createdAt,
  };
}

export function toTask(doc: TaskDoc): Task {
  return {
    id: doc._id,
    projectId: doc.projectId,
    key: doc.key,
    role: doc.role,
    title: doc.title,
    spec: doc.spec,
    acceptance: [...doc.acceptance],
    dependsOn: [...doc.dependsOn],
    status: doc.status,
    attempts: doc.attempts,
    fence: doc.fence,
    leaseHolder: doc.leaseHolder ?? null,
    leaseExpiresAt: doc.leaseExpiresAt ?? null,
    artifacts: doc.artifacts.map((a) => (a.note === undefined ? { kind: a.kind, ref: a.ref } : { ...a })),
    cost: doc.cost,
    lastError: doc.lastError ?? null,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

export function toCheckpoint(doc: CheckpointDoc): Checkpoint {
  return {
    id: doc._id,
    projectId: doc.projectId,
    taskId: doc.taskId ?? null,
    kind: doc.kind,
    requestedBy: doc.requestedBy,
    request: doc.request,
    status: doc.status,
    decision: doc.decision ?? null,
    cards: doc.cards.map((c) => ({ surface: c.surface, channel: c.channel, messageId: c.messageId })),
    waiters: (doc.waiters ?? []).map((waiter) => ({
      taskId: waiter.taskId,
      taskKey: waiter.taskKey,
      role: waiter.role,
      title: waiter.title,
      at: new Date(waiter.at),
    })),
    remindersSent: doc.remindersSent,
    expiresAt: doc.expiresAt ?? null,
    createdAt: doc.createdAt,
    decidedAt: doc.decidedAt ?? null,
  };
}

export function toLedgerEntry(doc: LedgerDoc): LedgerEntry {
  return {
    id: doc._id,
    kind: doc.kind,
    projectId: doc.projectId ?? null,
    taskId: doc.taskId ?? null,
    provider: doc.provider,
    model: doc.model,
    inputTokens: doc.inputTokens,
    outputTokens: doc.outputTokens,
    cost: doc.cost,
    currency: doc.currency,
    latencyMs: doc.latencyMs,
    at: doc.at,
    meta: doc.meta ?? {},
    ...(doc.effectKey ? { effectKey: doc.effectKey } : {}),
  };
}

export function toAuditEvent(doc: AuditDoc): AuditEvent {
  return {
    seq: doc._id,
    at: doc.at,
    actor: doc.actor,
    action: doc.action,
    subjectType: doc.subjectType,
    subjectId: doc.subjectId,
    data: doc.data ?? {},
    prevHash: doc.prevHash,
    hash: doc.hash,
  };
}

export function toInboxEntry(doc: InboxDoc): InboxEntry {
  return {
    key: doc._id,
    surface: doc.surface,
    payload: doc.payload ?? null,
    attached: doc.attached ?? null,
    status: doc.status,
    attempts: doc.attempts,
    error: doc.error ?? null,
    receivedAt: doc.receivedAt,
    startedAt: doc.startedAt ?? null,
    processedAt: doc.processedAt ?? null,
  };
}

export function toOutboxEntry(doc: OutboxDoc): OutboxEntry {
  return {
    effectId: doc._id,
    kind: doc.kind,
    payload: doc.payload ?? null,
    status: doc.status,
    attempts: doc.attempts,
    result: doc.result ?? null,
    error: doc.error ?? null,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
}

export function toLease(doc: LeaseDoc): Lease {
  return { key: doc._id, holder: doc.holder, token: doc.token, expiresAt: doc.expiresAt };
}
