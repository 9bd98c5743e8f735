/**
 * What agent tools need of the orchestration, and nothing more: open a TO checkpoint, and ask before
 * spending money. The orchestration implements both (orchestration/checkpoints/checkpoint-gateway.ts,
 * orchestration/budget/spend-gateway.ts); the composition root hands them to the tools.
 */
import type { Checkpoint, CheckpointWaiter, NewCheckpoint, Project, Task } from './store.js';
import type { SpendType } from './spend-details.js';

export interface CheckpointGateway {
  /**
   * Stores the checkpoint (with its action hash), audits it and has its card posted; the caller then
   * waits for the decision.
   */
  open(checkpoint: NewCheckpoint): Promise<Checkpoint>;
  /**
   * Adds a task to the tasks waiting on an open checkpoint (a credential another task asked for already),
   * audits it and has the card show it; null when the checkpoint does not exist.
   */
  join(checkpointId: string, waiter: Omit<CheckpointWaiter, 'at'>, actor: string): Promise<Checkpoint | null>;
  /**
   * Runs `work` while holding the project's lock on `subject` (e.g. one credential's service), so two
   * tasks asking for the same thing at once open one checkpoint between them.
   */
  exclusive<T>(projectId: string, subject: string, work: () => Promise<T>): Promise<T>;
}

export interface SpendRequest {
  project: Project;
  task: Pick<Task, 'id' | 'key' | 'title' | 'role'>;
  /** Who asks (e.g. `agent:apollo`). */
  actor: string;
  /** Identifies the call within the task. */
  call: { step: number; callId?: string };
  type: SpendType;
  /** Estimated cost in the budget's currency. */
  amount: number;
  purpose: string;
  vendor?: string;
}

/**
 * `go`: the spend may happen (auto-approved, or approved earlier by a TO on `checkpoint`); `wait`: a
 * `spend` checkpoint is open; `rejected`: a TO refused it on `checkpoint`.
 */
export type SpendVerdict =
  | { kind: 'go'; autoApproved: boolean; checkpoint: Checkpoint | null }
  | { kind: 'wait'; checkpoint: Checkpoint }
  | { kind: 'rejected'; checkpoint: Checkpoint };

export interface SpendGateway {
  /** Largest single spend, in the project's budget currency, that goes ahead without a TO. */
  readonly autoApprove: number;
  /** Applies the spend rule to one call; a replayed call finds its earlier checkpoint again. */
  request(request: SpendRequest): Promise<SpendVerdict>;
}
