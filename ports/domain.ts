/**
 * The domain model (DESIGN.md §4). Plain data: every storage adapter reads and writes exactly these shapes.
 * Ids are UUID strings made by the caller's side of the port (`newId()`), so every backend agrees on them.
 */

export type Role = 'client' | 'to' | 'admin';
export type Surface = 'slack' | 'discord' | 'email' | 'console';
export type AgentRole = 'apollo' | 'aphrodite' | 'athena' | 'hephaestus';

export interface IdentityHandle {
  surface: Surface;
  /** Slack user id, Discord user id, lower-cased email address, or console name. */
  externalId: string;
}

export interface Identity {
  id: string;
  displayName: string;
  role: Role;
  handles: IdentityHandle[];
  /** Data of this client must never leave our machines (no cloud LLM). */
  localOnly: boolean;
  /** The client's IANA time zone (scheduled digests); absent: UTC. */
  timezone?: string;
  createdAt: Date;
}

export type IntakeState = 'collecting' | 'confirming' | 'handed_off';

export interface ConversationMessage {
  at: Date;
  from: 'client' | 'hermes';
  text: string;
}

export interface Conversation {
  id: string;
  surface: Surface;
  /** Surface-specific thread key: Slack channel+thread ts, Discord channel id, email thread root. */
  threadKey: string;
  identityId: string;
  state: IntakeState;
  messages: ConversationMessage[];
  /** Brief fields extracted so far. */
  draft: Record<string, unknown>;
  projectId: string | null;
  /** Incremented by every update; updates are compare-and-set on it. */
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export type ProjectStatus =
  'planning' | 'awaiting_approval' | 'active' | 'on_hold' | 'completed' | 'cancelled';

export interface Money {
  amount: number;
  currency: string;
}

export interface ThreadRef {
  surface: Surface;
  /** Channel, DM or mailbox the thread lives in. */
  channel: string;
  /** Thread id within the channel (Slack ts, Discord thread id, email root Message-ID). */
  threadKey: string;
}

export interface Project {
  id: string;
  /** Short unique slug, used in plus-addresses and commands. */
  key: string;
  title: string;
  ownerId: string;
  status: ProjectStatus;
  budget: Money | null;
  /** Total approved spend and LLM cost so far, in the budget's currency. */
  spent: number;
  localOnly: boolean;
  threads: ThreadRef[];
  /** Latest brief version. */
  briefVersion: number;
  version: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface Brief {
  projectId: string;
  version: number;
  content: Record<string, unknown>;
  createdBy: string;
  createdAt: Date;
}

export type TaskStatus =
  'pending' | 'ready' | 'running' | 'waiting_checkpoint' | 'done' | 'failed' | 'cancelled';

export interface Artifact {
  kind: string;
  ref: string;
  note?: string;
}

export interface Task {
  id: string;
  projectId: string;
  /** Unique within the project; the plan's own name for the task. */
  key: string;
  role: AgentRole;
  title: string;
  spec: string;
  acceptance: string[];
  /** Ids of tasks that must be done first. */
  dependsOn: string[];
  status: TaskStatus;
  attempts: number;
  /** Fencing token of the current attempt; bumped by every claim. */
  fence: number;
  /** Who holds the running attempt, and until when. */
  leaseHolder: string | null;
  leaseExpiresAt: Date | null;
  artifacts: Artifact[];
  cost: number;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export type CheckpointKind = 'credential' | 'spend' | 'deploy' | 'plan_review' | 'brief_review' | 'question';
export type CheckpointStatus = 'pending' | 'approved' | 'modified' | 'rejected' | 'expired';
export type CheckpointOutcome = Exclude<CheckpointStatus, 'pending'>;

export interface CheckpointRequest {
  title: string;
  summary: string;
  details: Record<string, unknown>;
  /** Hash of the exact action and arguments the TO approves. */
  actionHash?: string;
  /** How many times the request was revised after opening (absent: never). */
  revision?: number;
}

export interface CheckpointDecision {
  outcome: CheckpointOutcome;
  by: string;
  at: Date;
  changes?: string;
  reason?: string;
}

export interface CardRef {
  surface: Surface;
  channel: string;
  messageId: string;
}

/** A task waiting on a checkpoint it did not open (a credential several tasks need), besides its own task. */
export interface CheckpointWaiter {
  taskId: string;
  taskKey: string;
  role: string;
  title: string;
  /** When the task joined. */
  at: Date;
}

export interface Checkpoint {
  id: string;
  projectId: string;
  taskId: string | null;
  kind: CheckpointKind;
  /** Agent role, 'hermes' or 'system'. */
  requestedBy: string;
  request: CheckpointRequest;
  status: CheckpointStatus;
  decision: CheckpointDecision | null;
  cards: CardRef[];
  /**
   * Every task that waits on (or was answered by) this checkpoint, its own task first: a credential is
   * asked for once per project and service, and each task that needs it joins. Not part of the action hash.
   */
  waiters: CheckpointWaiter[];
  remindersSent: number;
  expiresAt: Date | null;
  createdAt: Date;
  decidedAt: Date | null;
}

export interface LedgerEntry {
  id: string;
  kind: 'llm' | 'spend';
  projectId: string | null;
  taskId: string | null;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cost: number;
  currency: string;
  latencyMs: number;
  at: Date;
  meta: Record<string, unknown>;
  /** Names the effect this entry pays for (e.g. `llm:<task id>:<step>`); unique when set. */
  effectKey?: string | null;
}

export interface AuditEvent {
  /** Position in the chain, from 1. */
  seq: number;
  at: Date;
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  data: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export type InboxStatus = 'received' | 'processing' | 'done' | 'failed';

export interface InboxEntry {
  /** Natural key of the inbound event, e.g. `slack:event:Ev123`. */
  key: string;
  surface: Surface;
  payload: unknown;
  /**
   * What the handler that took the event made of it, kept beside the surface's own payload (the intake's
   * client message on a Slack event); null until a handler attaches something.
   */
  attached: unknown;
  status: InboxStatus;
  attempts: number;
  error: string | null;
  receivedAt: Date;
  /** When the current (or last) processing attempt began. */
  startedAt: Date | null;
  processedAt: Date | null;
}

export type OutboxStatus = 'pending' | 'in_flight' | 'done' | 'failed';

export interface OutboxEntry {
  effectId: string;
  /** e.g. `slack.post`, `email.send`, `vault.access`. */
  kind: string;
  payload: unknown;
  status: OutboxStatus;
  /** Attempts started; a value above 1 on `in_flight` means an earlier attempt's outcome is unknown. */
  attempts: number;
  result: unknown;
  error: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface Lease {
  key: string;
  holder: string;
  token: number;
  expiresAt: Date;
}

/**
 * A secret lease: what a TO's approval of a `credential` checkpoint grants. The agent holds only the
 * lease id (its handle); the named tool resolves the pinned vault version server-side, for this task only,
 * until the lease expires. Names and versions only: values never leave the vault.
 */
export interface SecretLease {
  /** The handle the agent is given. */
  id: string;
  projectId: string;
  taskId: string;
  /** The one tool that may use it (e.g. `http_request`). */
  tool: string;
  /** The credential's name as the agent asked for it (e.g. `github_token`). */
  credential: string;
  /** Vault secret name and pinned version. */
  secretName: string;
  secretVersion: string;
  checkpointId: string;
  grantedBy: string;
  expiresAt: Date;
  revokedAt: Date | null;
  createdAt: Date;
}

/**
 * A one-time code proving that the client talking as `identityId` also owns `handle` (an address or
 * account on another surface, where the code was sent). Only its hash is stored; one live code per
 * identity; it expires, and counts its attempts.
 */
export interface LinkCode {
  identityId: string;
  handle: IdentityHandle;
  codeHash: string;
  attempts: number;
  expiresAt: Date;
  usedAt: Date | null;
  createdAt: Date;
}
