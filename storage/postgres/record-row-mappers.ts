/** Rows of the append-style records (ledger, audit, inbox, outbox, leases) mapped to domain objects. */
import type {
  AuditEvent,
  InboxEntry,
  InboxStatus,
  LedgerEntry,
  Lease,
  OutboxEntry,
  OutboxStatus,
  Surface,
} from '../../ports/domain.js';
import { toDate, toDateOrNull, type BigintColumn } from './row-mappers.js';

export type LedgerRow = {
  id: string;
  kind: LedgerEntry['kind'];
  project_id: string | null;
  task_id: string | null;
  provider: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  cost: number;
  currency: string;
  latency_ms: number;
  at: Date;
  meta: Record<string, unknown>;
  effect_key?: string | null;
};

export function toLedgerEntry(row: LedgerRow): LedgerEntry {
  return {
    id: row.id,
    kind: row.kind,
    projectId: row.project_id,
    taskId: row.task_id,
    provider: row.provider,
    model: row.model,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cost: row.cost,
    currency: row.currency,
    latencyMs: row.latency_ms,
    at: toDate(row.at),
    meta: row.meta,
    ...(row.effect_key ? { effectKey: row.effect_key } : {}),
  };
}

export type AuditRow = {
  seq: BigintColumn;
  at: Date;
  actor: string;
  action: string;
  subject_type: string;
  subject_id: string;
  data: Record<string, unknown>;
  prev_hash: string;
  hash: string;
};

export function toAuditEvent(row: AuditRow): AuditEvent {
  return {
    seq: Number(row.seq),
    at: toDate(row.at),
    actor: row.actor,
    action: row.action,
    subjectType: row.subject_type,
    subjectId: row.subject_id,
    data: row.data,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export type InboxRow = {
  key: string;
  surface: Surface;
  payload: unknown;
  attached: unknown;
  status: InboxStatus;
  attempts: number;
  error: string | null;
  received_at: Date;
  started_at: Date | null;
  processed_at: Date | null;
};

export function toInboxEntry(row: InboxRow): InboxEntry {
  return {
    key: row.key,
    surface: row.surface,
    payload: row.payload,
    attached: row.attached ?? null,
    status: row.status,
    attempts: row.attempts,
    error: row.error,
    receivedAt: toDate(row.received_at),
    startedAt: toDateOrNull(row.started_at),
    processedAt: toDateOrNull(row.processed_at),
  };
}

export type OutboxRow = {
  effect_id: string;
  kind: string;
  payload: unknown;
  status: OutboxStatus;
  attempts: number;
  result: unknown;
  error: string | null;
  created_at: Date;
  updated_at: Date;
};

export function toOutboxEntry(row: OutboxRow): OutboxEntry {
  return {
    effectId: row.effect_id,
    kind: row.kind,
    payload: row.payload,
    status: row.status,
    attempts: row.attempts,
    result: row.result,
    error: row.error,
    createdAt: toDate(row.created_at),
    updatedAt: toDate(row.updated_at),
  };
}

export type LeaseRow = {
  key: string;
  holder: string;
  token: BigintColumn;
  expires_at: Date;
};

export function toLease(row: LeaseRow): Lease {
  return { key: row.key, holder: row.holder, token: Number(row.token), expiresAt: toDate(row.expires_at) };
}
