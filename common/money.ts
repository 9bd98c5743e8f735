/**
 * Money as people read it, to the cent: "0.16 USD", "2,026.00 USD". An amount above zero that would round
 * to 0.00 shows as "<0.01 USD", and a share of a budget above zero that would round to 0% as "<1%": spend
 * the ledger holds is never shown as nothing.
 */
export function formatCents(amount: number, currency = ''): string {
  const unit = currency ? ` ${currency}` : '';
  if (amount > 0 && amount < 0.005) return `<0.01${unit}`;
  const text = amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${text}${unit}`;
}

/** The share of `budget` that `spent` is, as a whole percentage ("<1%" for a little spend). */
export function formatShare(spent: number, budget: number): string {
  if (budget <= 0) return '0%';
  const percent = (spent / budget) * 100;
  if (spent > 0 && percent < 0.5) return '<1%';
  return `${Math.round(percent)}%`;
}

/** "0.16 USD of 300.00 USD (<1%)"; without a budget, "0.16 USD spent; no budget set". */
export function formatSpend(
  spent: number,
  budget: { amount: number; currency: string } | null,
  currency = '',
): string {
  if (budget === null) return `${formatCents(spent, currency)} spent; no budget set`;
  return `${formatCents(spent, budget.currency)} of ${formatCents(budget.amount, budget.currency)} (${formatShare(spent, budget.amount)})`;
}
