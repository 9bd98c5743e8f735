/**
 * What a project has spent and may spend. Spend is the ledger's sum (every LLM call, and external spend
 * approved without a TO) plus external spend a TO approved through a `spend` checkpoint. The limit is the
 * brief's budget plus every overrun a TO approved on a `budget_reached` checkpoint.
 */
import type { Checkpoint, Project, Store } from '../../ports/store.js';
import { DEFAULT_CURRENCY, spendDetails } from '../../ports/spend-details.js';

export interface ProjectSpend {
  /** Spent so far: ledger plus TO-approved external spend. */
  spent: number;
  /** The brief's budget; null when the project has none. */
  budget: number | null;
  /** Budget plus approved overruns; null without a budget. */
  limit: number | null;
  currency: string;
  /** A `budget_reached` checkpoint of the project is waiting for a TO. */
  pausedBy: Checkpoint | null;
}

function granted(checkpoint: Checkpoint): boolean {
  return checkpoint.status === 'approved' || checkpoint.status === 'modified';
}

export async function projectSpend(store: Store, project: Project): Promise<ProjectSpend> {
  const [ledgerTotal, checkpoints] = await Promise.all([
    store.ledger.totalCost(project.id),
    store.checkpoints.list({ projectId: project.id }),
  ]);
  let approvedExternal = 0;
  let overruns = 0;
  let pausedBy: Checkpoint | null = null;
  for (const checkpoint of checkpoints) {
    const spend = spendDetails(checkpoint);
    if (!spend) continue;
    if (granted(checkpoint) && spend.type === 'external') approvedExternal += spend.amount;
    if (granted(checkpoint) && spend.reason === 'budget_reached') overruns += spend.allowance ?? 0;
    if (checkpoint.status === 'pending' && spend.reason === 'budget_reached') pausedBy ??= checkpoint;
  }
  const budget = project.budget?.amount ?? null;
  return {
    spent: round(ledgerTotal + approvedExternal),
    budget,
    limit: budget === null ? null : round(budget + overruns),
    currency: project.budget?.currency ?? DEFAULT_CURRENCY,
    pausedBy,
  };
}

/** The project with `spent` as the ledger says (what every view shows the client and the TOs). */
export async function withLedgerSpend(store: Store, project: Project): Promise<Project> {
  const { spent } = await projectSpend(store, project);
  return { ...project, spent };
}

/** Money rounded to a millionth, so sums of tiny LLM costs compare cleanly. */
export function round(amount: number): number {
  return Math.round(amount * 1e6) / 1e6;
}
