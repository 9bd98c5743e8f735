/**
 * What `olympus projects show` says about money: the budget, why a project is on hold when a budget
 * checkpoint paused it, a budget change waiting for a TO, and the TO's reason on every rejected spend. Works on the ops
 * API's JSON rows.
 */
type Row = Record<string, unknown>;

function text(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

function num(value: unknown): string {
  return typeof value === 'number' ? String(Math.round(value * 100) / 100) : '?';
}

export function budgetLines(project: Row, checkpoints: Row[]): string[] {
  const lines: string[] = [];
  const budget = project.budget as { amount?: number; currency?: string } | null | undefined;
  const spends = checkpoints.filter((c) => c.kind === 'spend');
  const details = (c: Row) => ((c.request as Row | undefined)?.details ?? {}) as Row;
  const pause = spends.find((c) => c.status === 'pending' && details(c).reason === 'budget_reached');
  if (budget && typeof budget.amount === 'number')
    lines.push(`budget: ${num(budget.amount)} ${text(budget.currency)}`);
  if (project.status === 'on_hold' && pause) {
    const d = details(pause);
    lines.push(
      `on hold: budget reached — spent ${num(d.spent)} of ${num(d.budget)} ${text(d.currency)}; all work waits for a TO to decide spend checkpoint ${text(pause.id)}`,
    );
  }
  for (const c of spends) {
    const to = details(c).to as { amount?: number; currency?: string } | undefined;
    if (details(c).type === 'budget_change') {
      if (c.status === 'pending')
        lines.push(
          `budget change to ${num(to?.amount)} ${text(to?.currency)} waits for a TO (spend checkpoint ${text(c.id)})`,
        );
      continue;
    }
    if (c.status !== 'rejected' && c.status !== 'expired') continue;
    const reason =
      ((c.decision as Row | null | undefined)?.reason as string | undefined) ?? 'no reason given';
    lines.push(
      `spend ${text(c.status)}: ${num(details(c).amount)} for ${text(details(c).taskKey, '?')} — ${reason}; the task was cancelled`,
    );
  }
  return lines;
}
