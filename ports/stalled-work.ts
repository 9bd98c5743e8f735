/**
 * Work stopped for a TO, as its `question` checkpoint says: a planning round that produced no usable plan
 * (`purpose: plan_failed`) or a task that kept failing (`purpose: task_failed`). Written by the
 * orchestrator (orchestration/stalled-work.ts), read by Hermes's status answers, the console, the ops API
 * and `/metrics`.
 */
import type { Checkpoint } from './store.js';

export const PLAN_FAILED_QUESTION = 'plan_failed';
export const TASK_FAILED_QUESTION = 'task_failed';

export type StalledKind = 'plan' | 'task';

export interface StalledWork {
  kind: StalledKind;
  checkpointId: string;
  /** The failed task's key (tasks only). */
  taskKey: string | null;
  /** The error, redacted and bounded. */
  error: string;
  /** Why it stopped, in plain words for a person (no codes, no model output), when the question says. */
  reason: string | null;
  /** Model calls spent before it stopped, when known. */
  modelCalls: number | null;
  since: Date;
}

export function stalledKindOf(checkpoint: Checkpoint): StalledKind | null {
  if (checkpoint.kind !== 'question') return null;
  const purpose = checkpoint.request.details.purpose;
  if (purpose === PLAN_FAILED_QUESTION) return 'plan';
  if (purpose === TASK_FAILED_QUESTION) return 'task';
  return null;
}

/** The pending questions of stopped work among these checkpoints, oldest first. */
export function stalledWork(checkpoints: readonly Checkpoint[]): StalledWork[] {
  return checkpoints
    .filter((checkpoint) => checkpoint.status === 'pending')
    .flatMap((checkpoint): StalledWork[] => {
      const kind = stalledKindOf(checkpoint);
      if (kind === null) return [];
      const { details } = checkpoint.request;
      return [
        {
          kind,
          checkpointId: checkpoint.id,
          taskKey: typeof details.taskKey === 'string' ? details.taskKey : null,
          error: typeof details.error === 'string' ? details.error : checkpoint.request.title,
          reason: typeof details.reason === 'string' ? details.reason : null,
          modelCalls: typeof details.modelCalls === 'number' ? details.modelCalls : null,
          since: checkpoint.createdAt,
        },
      ];
    })
    .sort((a, b) => a.since.getTime() - b.since.getTime());
}
