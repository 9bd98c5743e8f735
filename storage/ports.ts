/**
 * Storage port: the only way handlers and orchestration reach persistent state. Adapters live in
 * `storage/postgres/` and `storage/mongo/`; both pass the same contract suite (test/contract/).
 *
 * Rules every adapter keeps:
 * - Writes that can race are one compare-and-set statement (never read-then-write).
 * - `null` means "not found" or "the compare-and-set lost"; errors are for failures.
 * - Returned objects are fresh copies; mutating them changes nothing stored.
 */
import type { AgendaBackend } from 'agenda';
import type {
  AgentRole,
  Artifact,
  AuditEvent,
  Brief,
  CardRef,
  Checkpoint,
  CheckpointKind,
  CheckpointOutcome,
  CheckpointRequest,
  Conversation,
  ConversationMessage,
  Identity,
  IdentityHandle,
  InboxEntry,
  IntakeState,
  LedgerEntry,
  Lease,
  Money,
  OutboxEntry,
  Project,
  ProjectStatus,
  Role,
  Surface,
  Task,
  TaskStatus,
  ThreadRef,
} from './domain.js';

export type * from './domain.js';

export interface NewIdentity {
  displayName: string;
  role?: Role;
  handles?: IdentityHandle[];
  localOnly?: boolean;
}

export interface IdentityRepository {
  create(input: NewIdentity): Promise<Identity>;
  get(id: string): Promise<Identity | null>;
  findByHandle(handle: IdentityHandle): Promise<Identity | null>;
  /** The identity owning this handle, created atomically (with `defaults`) if none does. */
  ensureByHandle(handle: IdentityHandle, defaults: Omit<NewIdentity, 'handles'>): Promise<Identity>;
  /** Adds a handle; throws STORE_CONFLICT if another identity owns it. */
  addHandle(id: string, handle: IdentityHandle): Promise<Identity | null>;
  setRole(id: string, role: Role): Promise<Identity | null>;
  list(): Promise<Identity[]>;
}

export interface ConversationPatch {
  state?: IntakeState;
  draft?: Record<string, unknown>;
  projectId?: string | null;
}

export interface ConversationRepository {
  /** The conversation of this surface thread, created atomically if new. */
  ensure(surface: Surface, threadKey: string, identityId: string): Promise<Conversation>;
  get(id: string): Promise<Conversation | null>;
  findByThread(surface: Surface, threadKey: string): Promise<Conversation | null>;
  /** Appends atomically (no lost messages under concurrency); bumps the version. */
  appendMessage(id: string, message: ConversationMessage): Promise<Conversation | null>;
  /** Compare-and-set on `version`; null when the conversation changed meanwhile. */
  update(id: string, expectedVersion: number, patch: ConversationPatch): Promise<Conversation | null>;
  listByIdentity(identityId: string): Promise<Conversation[]>;
}

export interface NewProject {
  key: string;
  title: string;
  ownerId: string;
  budget?: Money | null;
  localOnly?: boolean;
  status?: ProjectStatus;
  /** Brief v1, stored with the project in one step. */
  brief: Record<string, unknown>;
  createdBy: string;
}

export interface ProjectRepository {
  /** Creates the project and brief v1 together; STORE_CONFLICT if the key is taken. */
  create(input: NewProject): Promise<{ project: Project; brief: Brief }>;
  get(id: string): Promise<Project | null>;
  getByKey(key: string): Promise<Project | null>;
  list(filter?: { ownerId?: string; status?: ProjectStatus[] }): Promise<Project[]>;
  /**
   * Stores the next brief version if the latest is still `expectedVersion`; null when someone else
   * added a version first.
   */
  addBriefVersion(
    projectId: string,
    expectedVersion: number,
    content: Record<string, unknown>,
    createdBy: string,
  ): Promise<Brief | null>;
  /** Latest version when `version` is omitted. */
  getBrief(projectId: string, version?: number): Promise<Brief | null>;
  listBriefs(projectId: string): Promise<Brief[]>;
  /** Compare-and-set on status: moves only from one of `from`. */
  setStatus(id: string, from: ProjectStatus[], to: ProjectStatus): Promise<Project | null>;
  /** Adds a thread reference unless the same surface+channel+threadKey is there already. */
  addThread(id: string, thread: ThreadRef): Promise<Project | null>;
  /** Atomic increment of `spent`. */
  addSpend(id: string, amount: number): Promise<Project | null>;
  setBudget(id: string, budget: Money | null): Promise<Project | null>;
}

export interface NewTask {
  key: string;
  role: AgentRole;
  title: string;
  spec: string;
  acceptance?: string[];
  /** Keys of tasks in the same batch (or ids of existing tasks) this one depends on. */
  dependsOn?: string[];
  status?: TaskStatus;
}

export interface TaskClaim {
  task: Task;
  /** Fencing token: only the attempt holding the current token can finish or heartbeat. */
  fence: number;
}

export interface TaskOutcome {
  status: Extract<TaskStatus, 'done' | 'failed' | 'waiting_checkpoint' | 'ready'>;
  artifacts?: Artifact[];
  cost?: number;
  error?: string | null;
}

export interface TaskRepository {
  /** Creates a batch; `dependsOn` keys are resolved to the new ids. VALIDATION on unknown keys. */
  createMany(projectId: string, tasks: NewTask[]): Promise<Task[]>;
  get(id: string): Promise<Task | null>;
  listByProject(projectId: string): Promise<Task[]>;
  /** Compare-and-set on status (for transitions outside an attempt: pending→ready, →cancelled…). */
  transition(id: string, from: TaskStatus[], to: TaskStatus): Promise<Task | null>;
  /**
   * One statement: a `ready` task, or a `running` one whose lease has expired, becomes `running` for
   * `holder`, with attempts and fence incremented. Null when not claimable (someone else won).
   */
  claim(id: string, holder: string, leaseMs: number): Promise<TaskClaim | null>;
  /** Extends the lease; false when the fence is stale. */
  heartbeat(id: string, fence: number, leaseMs: number): Promise<boolean>;
  /** Ends the attempt holding `fence`; null when the fence is stale (a newer attempt took over). */
  finish(id: string, fence: number, outcome: TaskOutcome): Promise<Task | null>;
}

export interface NewCheckpoint {
  projectId: string;
  taskId?: string | null;
  kind: CheckpointKind;
  requestedBy: string;
  request: CheckpointRequest;
  expiresAt?: Date | null;
}

export interface DecisionInput {
  outcome: CheckpointOutcome;
  by: string;
  changes?: string;
  reason?: string;
}

export interface DecideOptions {
  /**
   * The action hash the decider saw: the compare-and-set then also requires `request.actionHash` to
   * equal it, so a decision for arguments that changed since is not stored (won false, still pending).
   */
  expectedActionHash?: string;
}

export type DecideResult =
  { won: true; checkpoint: Checkpoint } | { won: false; checkpoint: Checkpoint | null };

export interface CheckpointRepository {
  open(input: NewCheckpoint): Promise<Checkpoint>;
  get(id: string): Promise<Checkpoint | null>;
  list(filter?: { projectId?: string; status?: Checkpoint['status'][] }): Promise<Checkpoint[]>;
  /** One compare-and-set statement on `status = 'pending'`: of many concurrent deciders exactly one wins. */
  decide(id: string, decision: DecisionInput, options?: DecideOptions): Promise<DecideResult>;
  /**
   * Replaces the request (and with it the action hash) of a checkpoint that is still pending, in one
   * statement; null when the checkpoint does not exist or is decided already.
   */
  revise(id: string, request: CheckpointRequest): Promise<Checkpoint | null>;
  addCard(id: string, card: CardRef): Promise<Checkpoint | null>;
  /** Atomic increment; returns the new count, or null if the checkpoint does not exist. */
  recordReminder(id: string): Promise<number | null>;
}

export type NewLedgerEntry = Omit<LedgerEntry, 'id' | 'at' | 'meta' | 'projectId' | 'taskId'> & {
  projectId?: string | null;
  taskId?: string | null;
  at?: Date;
  meta?: Record<string, unknown>;
};

export interface LedgerRepository {
  append(entry: NewLedgerEntry): Promise<LedgerEntry>;
  list(filter?: { projectId?: string; taskId?: string }): Promise<LedgerEntry[]>;
  /** Sum of `cost` for the project. */
  totalCost(projectId: string): Promise<number>;
}

export interface NewAuditEvent {
  actor: string;
  action: string;
  subjectType: string;
  subjectId: string;
  data?: Record<string, unknown>;
}

export type AuditVerification =
  { ok: true; count: number } | { ok: false; count: number; brokenAt: number; reason: string };

export interface AuditRepository {
  /** Appends at the chain's head, serialised across processes; each event carries the previous hash. */
  append(event: NewAuditEvent): Promise<AuditEvent>;
  list(filter?: { subjectId?: string; afterSeq?: number; limit?: number }): Promise<AuditEvent[]>;
  /** Recomputes every hash from the first event; reports the first event that does not match. */
  verify(): Promise<AuditVerification>;
}

export interface InboxRepository {
  /**
   * Stores the event under its natural key; `inserted: false` means a repeat delivery. With `begin`, a new
   * entry is stored already `processing` (attempt 1), saving the separate `begin` round trip.
   */
  record(
    key: string,
    surface: Surface,
    payload: unknown,
    options?: { begin?: boolean },
  ): Promise<{ inserted: boolean; entry: InboxEntry }>;
  get(key: string): Promise<InboxEntry | null>;
  /**
   * received|failed → processing, attempts+1; null if another worker has it or it is done. With
   * `reclaimAfterMs`, a `processing` entry whose attempt began longer ago than that (its worker died) is
   * taken over too.
   */
  begin(key: string, options?: { reclaimAfterMs?: number }): Promise<InboxEntry | null>;
  /** → done. Idempotent: completing a done entry returns it unchanged; null for an unknown key. */
  complete(key: string): Promise<InboxEntry | null>;
  fail(key: string, error: string): Promise<InboxEntry | null>;
  /** Entries not done, oldest first: what a restart must finish. */
  listUnfinished(limit?: number): Promise<InboxEntry[]>;
}

export interface OutboxRepository {
  /** Records the effect; `inserted: false` when the effect id exists (the effect is not redone). */
  enqueue(
    effectId: string,
    kind: string,
    payload: unknown,
  ): Promise<{ inserted: boolean; entry: OutboxEntry }>;
  get(effectId: string): Promise<OutboxEntry | null>;
  /**
   * pending|failed|in_flight → in_flight, attempts+1. Null when done. `attempts > 1` on the result
   * tells the caller an earlier attempt may have reached the peer: check there before sending again.
   */
  begin(effectId: string): Promise<OutboxEntry | null>;
  complete(effectId: string, result: unknown): Promise<OutboxEntry | null>;
  fail(effectId: string, error: string): Promise<OutboxEntry | null>;
  listPending(limit?: number): Promise<OutboxEntry[]>;
}

export interface LeaseRepository {
  /** Takes the lease if free or expired, bumping its fencing token; null while another holds it. */
  acquire(key: string, holder: string, ttlMs: number): Promise<Lease | null>;
  /** Extends the lease; false when `token` is no longer current. */
  renew(key: string, token: number, ttlMs: number): Promise<boolean>;
  /** True while `token` is the current one and unexpired. */
  isCurrent(key: string, token: number): Promise<boolean>;
  /** Frees the lease; false when `token` was stale. */
  release(key: string, token: number): Promise<boolean>;
}

export type StoreBackendName = 'postgres' | 'mongo';

export interface Store {
  readonly backend: StoreBackendName;
  readonly identities: IdentityRepository;
  readonly conversations: ConversationRepository;
  readonly projects: ProjectRepository;
  readonly tasks: TaskRepository;
  readonly checkpoints: CheckpointRepository;
  readonly ledger: LedgerRepository;
  readonly audit: AuditRepository;
  readonly inbox: InboxRepository;
  readonly outbox: OutboxRepository;
  readonly leases: LeaseRepository;
  /** Creates or migrates the schema (PostgreSQL) or indexes (MongoDB). Safe to call from many processes. */
  init(): Promise<void>;
  /** Resolves when the database answers; throws STORE_UNAVAILABLE otherwise. */
  ping(): Promise<void>;
  /** The Agenda backend on the same database (schema creation left to `init`). */
  jobBackend(options: { name: string }): AgendaBackend;
  /** Closes what the store owns (pool, client). */
  close(): Promise<void>;
}
