/**
 * MongoDB document shapes and collections. Entity ids (UUID strings) are the
 * documents' `_id`; natural keys (inbox key, outbox effect id, lease key) are `_id` too, so the
 * primary key's uniqueness is what makes those inserts idempotent. Dates are BSON dates.
 */
import type { Collection, Db, Document } from 'mongodb';
import { BSON } from 'mongodb';
import type {
  AgentRole,
  Artifact,
  AuditEvent,
  CardRef,
  CheckpointDecision,
  CheckpointWaiter,
  CheckpointKind,
  CheckpointRequest,
  CheckpointStatus,
  ConversationMessage,
  IdentityHandle,
  InboxEntry,
  IntakeState,
  LedgerEntry,
  Money,
  OutboxEntry,
  ProjectStatus,
  Role,
  Surface,
  TaskStatus,
  ThreadRef,
} from '../../ports/domain.js';

export interface IdentityDoc {
  _id: string;
  /** Creation order (see `nextOrder`); listings sort on it. */
  order: number;
  displayName: string;
  role: Role;
  handles: IdentityHandle[];
  /** `<surface>:<externalId>` per handle; unique multikey index. Absent (never empty) when no handles. */
  handleKeys?: string[];
  localOnly: boolean;
  timezone?: string;
  createdAt: Date;
}

export interface ConversationDoc {
  _id: string;
  /** Creation order (see `nextOrder`); listings sort on it. */
  order: number;
  surface: Surface;
  threadKey: string;
  identityId: string;
  state: IntakeState;
  messages: ConversationMessage[];
  draft: Record<string, unknown>;
  projectId: string | null;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProjectDoc {
  _id: string;
  /** Creation order (see `nextOrder`); listings sort on it. */
  order: number;
  key: string;
  title: string;
  ownerId: string;
  status: ProjectStatus;
  budget: Money | null;
  spent: number;
  localOnly: boolean;
  threads: ThreadRef[];
  briefVersion: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface BriefDoc {
  /** `<projectId>:<version>`. */
  _id: string;
  projectId: string;
  version: number;
  content: Record<string, unknown>;
  createdBy: string;
  createdAt: Date;
}

export interface TaskDoc {
  _id: string;
  projectId: string;
  key: string;
  /** Creation order (see `nextOrder`); listings keep the plan's order. */
  order: number;
  role: AgentRole;
  title: string;
  spec: string;
  acceptance: string[];
  dependsOn: string[];
  status: TaskStatus;
  attempts: number;
  fence: number;
  leaseHolder: string | null;
  leaseExpiresAt: Date | null;
  artifacts: Artifact[];
  cost: number;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** The agent loop's stored state and the checkpoint it waits on (absent until the loop stores one). */
  progress?: { state: Record<string, unknown>; waitingOn: string | null; at: Date } | null;
}

export interface CheckpointDoc {
  _id: string;
  /** Creation order (see `nextOrder`); listings sort on it. */
  order: number;
  projectId: string;
  taskId: string | null;
  kind: CheckpointKind;
  requestedBy: string;
  request: CheckpointRequest;
  status: CheckpointStatus;
  decision: CheckpointDecision | null;
  cards: CardRef[];
  /** Absent on documents stored before waiters were kept. */
  waiters?: CheckpointWaiter[];
  remindersSent: number;
  expiresAt: Date | null;
  createdAt: Date;
  decidedAt: Date | null;
}

export interface LedgerDoc extends Omit<LedgerEntry, 'id'> {
  _id: string;
  order: number;
}

export interface AuditDoc extends Omit<AuditEvent, 'seq'> {
  /** The event's `seq`: the primary key's uniqueness serialises appends. */
  _id: number;
}

export interface InboxDoc extends Omit<InboxEntry, 'key'> {
  _id: string;
  order: number;
}

export interface OutboxDoc extends Omit<OutboxEntry, 'effectId'> {
  _id: string;
  order: number;
}

export interface LeaseDoc {
  _id: string;
  holder: string;
  token: number;
  expiresAt: Date;
}

/** One fixed window of one rate counter; `_id` is `<key>@<window start ms>`. */
export interface RateCounterDoc {
  _id: string;
  count: number;
  /** The window's end; a TTL index removes the document after it. */
  expiresAt: Date;
}

export interface SecretLeaseDoc {
  _id: string;
  /** Creation order (see `nextOrder`); listings sort on it. */
  order: number;
  projectId: string;
  taskId: string;
  tool: string;
  credential: string;
  secretName: string;
  secretVersion: string;
  /** Unique index: one lease per checkpoint. */
  checkpointId: string;
  grantedBy: string;
  expiresAt: Date;
  revokedAt: Date | null;
  createdAt: Date;
}

export interface LinkCodeDoc {
  /** The identity id: one live code per identity. */
  _id: string;
  handle: IdentityHandle;
  codeHash: string;
  attempts: number;
  expiresAt: Date;
  usedAt: Date | null;
  createdAt: Date;
}

/** A secret of the local vault (labels only); `_id` is its name. */
export interface VaultSecretDoc {
  _id: string;
  labels: Record<string, string>;
  createdAt: Date;
}

/** One sealed version of a vault secret; `_id` is `<secret>/<version>`, so a version number is claimed once. */
export interface VaultVersionDoc {
  _id: string;
  secret: string;
  version: number;
  state: 'enabled' | 'disabled' | 'destroyed';
  /** AES-256-GCM IV, tag and ciphertext (base64); null once destroyed. */
  sealed: { iv: string; tag: string; ciphertext: string } | null;
  createdAt: Date;
  destroyedAt: Date | null;
}

/** The vault's key check value; one document, `_id` `local`. */
export interface VaultKeyCheckDoc {
  _id: string;
  sealed: { iv: string; tag: string; ciphertext: string };
  createdAt: Date;
}

export interface Collections {
  identities: Collection<IdentityDoc>;
  conversations: Collection<ConversationDoc>;
  projects: Collection<ProjectDoc>;
  briefs: Collection<BriefDoc>;
  tasks: Collection<TaskDoc>;
  checkpoints: Collection<CheckpointDoc>;
  ledger: Collection<LedgerDoc>;
  audit: Collection<AuditDoc>;
  inbox: Collection<InboxDoc>;
  outbox: Collection<OutboxDoc>;
  leases: Collection<LeaseDoc>;
  secretLeases: Collection<SecretLeaseDoc>;
  linkCodes: Collection<LinkCodeDoc>;
  rateCounters: Collection<RateCounterDoc>;
  vaultSecrets: Collection<VaultSecretDoc>;
  vaultVersions: Collection<VaultVersionDoc>;
  vaultKeyCheck: Collection<VaultKeyCheckDoc>;
}

export const AGENDA_COLLECTION = 'agendaJobs';

/** Typed handles on the store's collections; no I/O. */
export function collections(db: Db): Collections {
  return {
    identities: db.collection<IdentityDoc>('identities'),
    conversations: db.collection<ConversationDoc>('conversations'),
    projects: db.collection<ProjectDoc>('projects'),
    briefs: db.collection<BriefDoc>('briefs'),
    tasks: db.collection<TaskDoc>('tasks'),
    checkpoints: db.collection<CheckpointDoc>('checkpoints'),
    ledger: db.collection<LedgerDoc>('ledgerEntries'),
    audit: db.collection<AuditDoc>('auditEvents'),
    inbox: db.collection<InboxDoc>('inbox'),
    outbox: db.collection<OutboxDoc>('outbox'),
    leases: db.collection<LeaseDoc>('leases'),
    secretLeases: db.collection<SecretLeaseDoc>('secretLeases'),
    linkCodes: db.collection<LinkCodeDoc>('identityLinkCodes'),
    rateCounters: db.collection<RateCounterDoc>('rateCounters'),
    vaultSecrets: db.collection<VaultSecretDoc>('vaultSecrets'),
    vaultVersions: db.collection<VaultVersionDoc>('vaultSecretVersions'),
    vaultKeyCheck: db.collection<VaultKeyCheckDoc>('vaultKeyCheck'),
  };
}

let lastOrder = 0;

/**
 * A creation-order stamp: wall-clock milliseconds with a sub-millisecond fraction, strictly increasing
 * within this process. Dates have millisecond precision only, so two documents made in the same
 * millisecond would otherwise list in arbitrary order.
 */
export function nextOrder(): number {
  const now = performance.timeOrigin + performance.now();
  lastOrder = now > lastOrder ? now : lastOrder + 0.001;
  return lastOrder;
}

export function handleKey(handle: IdentityHandle): string {
  return `${handle.surface}:${handle.externalId}`;
}

/** The handle with exactly the domain's fields, in a fixed order (so `$addToSet` compares reliably). */
export function normalizeHandle(handle: IdentityHandle): IdentityHandle {
  return { surface: handle.surface, externalId: handle.externalId };
}

export function briefId(projectId: string, version: number): string {
  return `${projectId}:${version}`;
}

/**
 * The document as the database holds it after an insert (a BSON round trip with the client's
 * `ignoreUndefined`): what a later read returns, sharing nothing with the caller's input.
 */
export function asStored<T extends Document>(doc: T): T {
  return BSON.deserialize(BSON.serialize(doc, { ignoreUndefined: true })) as T;
}
