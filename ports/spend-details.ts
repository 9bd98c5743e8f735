/**
 * The details a `spend` checkpoint carries about the money it asks for: written by the spend rule
 * (orchestration/budget/request-spend.ts), read back by the budget and by the tool that asked.
 */
import type { Checkpoint } from './store.js';

/** The kind of spend a `spend` checkpoint asks about (`details.type`). */
export type SpendType = 'llm_call' | 'external';
/** Why it asks (`details.reason`). */
export type SpendReason = 'above_threshold' | 'budget_reached';

export interface SpendDetails {
  type: SpendType;
  reason: SpendReason;
  amount: number;
  currency: string;
  allowance?: number;
}

export const DEFAULT_CURRENCY = 'USD';

/** The spend fields of a checkpoint's details, or null when it is not a spend checkpoint of a call. */
export function spendDetails(checkpoint: Checkpoint): SpendDetails | null {
  if (checkpoint.kind !== 'spend') return null;
  const details = checkpoint.request.details;
  const type = details.type;
  const reason = details.reason;
  const amount = details.amount;
  if (type !== 'llm_call' && type !== 'external') return null;
  if (reason !== 'above_threshold' && reason !== 'budget_reached') return null;
  if (typeof amount !== 'number') return null;
  const allowance = typeof details.allowance === 'number' ? details.allowance : undefined;
  return {
    type,
    reason,
    amount,
    currency: typeof details.currency === 'string' ? details.currency : DEFAULT_CURRENCY,
    ...(allowance === undefined ? {} : { allowance }),
  };
}
