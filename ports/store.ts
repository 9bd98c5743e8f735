/**
 * Storage port: the only way handlers and orchestration reach persistent state. Adapters live in
 * `storage/postgres/` and `storage/mongo/`; both pass the same contract suite (test/contract/).
 *
 * Rules every adapter keeps:
 * - Writes that can race are one compare-and-set statement (never read-then-write).
 * - `null` means "not found" or "the compare-and-set lost"; errors are for failures.
 * - Returned objects are fresh copies; mutating them changes nothing stored.
 */
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
  CheckpointWaiter,
  Conversation,
  ConversationMessage,
  Identity,
  IdentityHandle,
  InboxEntry,
  IntakeState,
  LedgerEntry,
  Lease,
  LinkCode,
  Money,
  OutboxEntry,
  Project,
  ProjectStatus,
  Role,
  SecretLease,
  Surface,
  Task,
  TaskStatus,
  ThreadRef,
} from './domain.js';
import type { VaultRecordRepository } from './vault-records.js';

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
  /** Sets (or with null clears) the client's time zone. */
  setTimezone(id: string, timezone: string | null): Promise<Identity | null>;
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
  status: Extract<TaskStatus, 'done' | 'failed' | 'waiting_checkpoint' | 'ready' | 'cancelled'>;
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
  /**
   * Stores the agent loop's state of the running attempt holding `fence` (replacing the previous one),
   * and the checkpoint it waits on (null: none); false when the fence is stale.
   */
  saveProgress(id: string, fence: number, progress: TaskProgressInput): Promise<boolean>;
  /** The last stored loop state; null when the task has none (or does not exist). */
  getProgress(id: string): Promise<TaskProgress | null>;
  /**
   * One statement: a `waiting_checkpoint` task whose stored progress waits on `checkpointId` becomes
   * `running` for `holder` with the fence incremented (attempts unchanged: a resume is not a new attempt).
   */
  claimWaiting(id: string, checkpointId: string, holder: string, leaseMs: number): Promise<TaskClaim | null>;
}

export interface TaskProgressInput {
  /** The agent loop's state (JSON): messages so far, step index, the model's answer being carried out. */
  state: Record<string, unknown>;
  /** The checkpoint the task waits on, if any. */
  waitingOn: string | null;
}

export interface TaskProgress extends TaskProgressInput {
  updatedAt: Date;
}

export interface NewCheckpoint {
  projectId: string;
  taskId?: string | null;
  kind: CheckpointKind;
  requestedBy: string;
  request: CheckpointRequest;
  expiresAt?: Date | null;
  /** The tasks waiting on it from the start (usually its own task). */
  waiters?: Omit<CheckpointWaiter, 'at'>[];
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
  /**
   * The audit event of a won decision, made from the decided checkpoint: appended with the decision in one
   * transaction where the store has them (PostgreSQL), so a decision is never stored without its event;
   * elsewhere right after it. Not appended when the decision is lost.
   */
  audit?: (decided: Checkpoint) => NewAuditEvent;
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
  /**
   * Adds a task to the checkpoint's waiters unless it is there already (one statement, whatever its
   * status); null when the checkpoint does not exist.
   */
  addWaiter(id: string, waiter: Omit<CheckpointWaiter, 'at'>): Promise<Checkpoint | null>;
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
  /**
   * Appends an entry. With an `effectKey` it is insert-if-absent: an entry with the same key already
   * stored is returned unchanged (a replayed step records its LLM call once).
   */
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

/** One inbound event to store, claimed (`processing`, attempt 1), under its natural key. */
export interface InboxArrival {
  key: string;
  surface: Surface;
  payload: unknown;
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
  /**
   * `record` with `begin` for many events in one statement and one commit (group commit), answered in the
   * order given; a key given twice is inserted once (the later one is a repeat).
   */
  recordMany(events: readonly InboxArrival[]): Promise<{ inserted: boolean; entry: InboxEntry }[]>;
  get(key: string): Promise<InboxEntry | null>;
  /**
   * Keeps what a handler made of the event on its entry, beside the surface's payload (replacing what was
   * attached before), whatever the entry's state; null for an unknown key.
   */
  attach(key: string, attached: unknown): Promise<InboxEntry | null>;
  /**
   * received|failed → processing, attempts+1; null if another worker has it or it is done. With
   * `reclaimAfterMs`, a `processing` entry whose attempt began longer ago than that (its worker died) is
   * taken over too.
   */
  begin(key: string, options?: { reclaimAfterMs?: number }): Promise<InboxEntry | null>;
  /** → done. Idempotent: completing a done entry returns it unchanged; null for an unknown key. */
  complete(key: string): Promise<InboxEntry | null>;
  /** `complete` for many entries in one statement (unknown keys are skipped); returns how many changed. */
  completeMany(keys: string[]): Promise<number>;
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

export type NewSecretLease = Omit<SecretLease, 'id' | 'revokedAt' | 'createdAt'> & { id?: string };

export interface SecretLeaseRepository {
  /**
   * Issues a task's lease of a credential checkpoint. One lease per checkpoint and task: issuing again
   * returns the lease issued first (a retried approval does not mint a second handle); each task waiting
   * on the same checkpoint gets its own.
   */
  issue(input: NewSecretLease): Promise<SecretLease>;
  get(id: string): Promise<SecretLease | null>;
  /** The lease of that checkpoint for `taskId`; without it, the first lease the checkpoint granted. */
  getByCheckpoint(checkpointId: string, taskId?: string): Promise<SecretLease | null>;
  /** Every lease the checkpoint granted, first issued first. */
  listByCheckpoint(checkpointId: string): Promise<SecretLease[]>;
  listByTask(taskId: string): Promise<SecretLease[]>;
  /** Ends the lease at once; null when it does not exist. Revoking twice keeps the first time. */
  revoke(id: string): Promise<SecretLease | null>;
}

export interface NewLinkCode {
  identityId: string;
  handle: IdentityHandle;
  codeHash: string;
  expiresAt: Date;
}

export interface LinkAttempt {
  code: LinkCode;
  /** True when the hash matched: the code is now used. */
  matched: boolean;
}

export interface IdentityLinkRepository {
  /** Stores the identity's live code, replacing any earlier one (attempts start at 0). */
  createCode(input: NewLinkCode): Promise<LinkCode>;
  /**
   * One compare-and-set: on the identity's code that is unused, unexpired and under `maxAttempts`,
   * counts an attempt and marks it used when `codeHash` matches. Null when there is no such code.
   */
  attempt(identityId: string, codeHash: string, maxAttempts: number): Promise<LinkAttempt | null>;
  getCode(identityId: string): Promise<LinkCode | null>;
  /**
   * Gives the handle to the identity, taking it from its current owner in one step. When that owner is
   * left with no handle, it is merged: its conversations and projects move to the identity. Null when
   * the identity does not exist.
   */
  moveHandle(
    identityId: string,
    handle: IdentityHandle,
  ): Promise<{ identity: Identity; previousOwner: string | null; merged: boolean } | null>;
}

export interface RateCounterRepository {
  /**
   * Counts one more event under `key` in the current fixed window of `windowMs` (windows start at multiples
   * of `windowMs` since the epoch) and returns the window's count so far, this event included. Atomic across
   * processes: of N concurrent hits exactly one sees each count from 1 to N.
   */
  hit(key: string, windowMs: number, now?: Date): Promise<number>;
}

export type StoreBackendName = 'postgres' | 'mongo';

/**
 * The store's own database connection, for an adapter that keeps its data beside the store's (the job
 * queue keeps its jobs there, so one database holds everything). The handles are opaque here: `pool` is
 * the `pg` Pool the store's repositories use, `db` the `mongodb` Db; the adapter that takes one knows
 * its driver. The tables and the collection are created by the store's `init()` (migrations, indexes),
 * so the adapter never creates schema. The store owns the handles: the adapter never closes them, and
 * must be stopped before the store's `close()`.
 */
export type StoreConnection =
  | { backend: 'postgres'; pool: unknown; jobsTable: string; jobLogsTable: string }
  | { backend: 'mongo'; db: unknown; jobsCollection: string };

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
  readonly secretLeases: SecretLeaseRepository;
  readonly identityLinks: IdentityLinkRepository;
  /** Shared rate limits (per-client intake, per-sender mail replies), counted for every process alike. */
  readonly rateCounters: RateCounterRepository;
  /**
   * The local encrypted vault's sealed records (ciphertexts, labels, the key check value), so every process
   * on this store shares one vault; never a plaintext value or the key.
   */
  readonly vaultRecords: VaultRecordRepository;
  /** Creates or migrates the schema (PostgreSQL) or indexes (MongoDB). Safe to call from many processes. */
  init(): Promise<void>;
  /** Resolves when the database answers; throws STORE_UNAVAILABLE otherwise. */
  ping(): Promise<void>;
  /** This store's database connection, shared with the job queue (see `StoreConnection`). */
  connection(): StoreConnection;
  /** Closes what the store owns (pool, client). */
  close(): Promise<void>;
}
