/**
 * The amounts a client's text names ("300 USD", "$12k", "€1.5m", "10-15k", "12.000 €"), with the currency
 * written next to them when there is one. Dates are taken out first, so the year or day of "March 15,
 * 2031" is never read as an amount. Used to check that a budget the model extracted is one the client gave.
 */
import { CURRENCY_SYMBOLS, currencyWord, MULTIPLIERS } from './answer-parsing.js';
import { dateExpressions } from './client-dates.js';

export interface NamedAmount {
  amount: number;
  /** The ISO code written with it, or null when the client gave a bare number. */
  currency: string | null;
}

const NUMBER = String.raw`\d{1,3}(?:[,\s]\d{3})+(?:\.\d+)?|\d+(?:[.,]\d+)?`;
const AMOUNT = new RegExp(
  String.raw`(?:([$€£¥₹])|\b([A-Za-z]{3})\s)?\s*(${NUMBER})(?:\s*(?:-|–|to)\s*[$€£¥₹]?\s*(${NUMBER}))?\s*(k|mm|m|bn|thousand|million|grand)?\b\s*([$€£¥₹]|[A-Za-z]{3,7})?`,
  'gi',
);
const EXTRA_MULTIPLIERS: Record<string, number> = { bn: 1_000_000_000, grand: 1_000 };

/** The readings of one written number: "12,000" is 12000; "12.000" may be 12000 or 12; "1,5" is 1.5. */
function readings(digits: string): number[] {
  const compact = digits.replace(/\s/g, '');
  const values = new Set<number>();
  if (/^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/.test(compact)) values.add(Number(compact.replace(/,/g, '')));
  if (/^\d{1,3}(?:\.\d{3})+$/.test(compact)) values.add(Number(compact.replace(/\./g, '')));
  if (/^\d+,\d{1,2}$/.test(compact)) values.add(Number(compact.replace(',', '.')));
  if (/^\d+(?:\.\d+)?$/.test(compact)) values.add(Number(compact));
  return [...values].filter((value) => Number.isFinite(value) && value > 0);
}

function withoutDates(text: string, reference: Date): string {
  let kept = text;
  for (const { index, length } of dateExpressions(text, reference)) {
    kept = kept.slice(0, index) + ' '.repeat(length) + kept.slice(index + length);
  }
  return kept;
}

/** Every amount `text` names, read as written at `reference` (for telling dates apart). */
export function amountsNamedIn(text: string, reference: Date): NamedAmount[] {
  const found: NamedAmount[] = [];
  for (const match of withoutDates(text, reference).matchAll(AMOUNT)) {
    const [, symbol, codeBefore, first, second, multiplier, after] = match;
    const factor = multiplier
      ? (MULTIPLIERS[multiplier.toLowerCase()] ?? EXTRA_MULTIPLIERS[multiplier.toLowerCase()] ?? 1)
      : 1;
    const currency =
      (symbol ? CURRENCY_SYMBOLS[symbol] : undefined) ??
      currencyWord(codeBefore) ??
      (after ? (CURRENCY_SYMBOLS[after] ?? currencyWord(after)) : undefined) ??
      null;
    for (const digits of [first, second]) {
      if (digits === undefined) continue;
      for (const value of readings(digits)) {
        found.push({ amount: value, currency });
        if (factor !== 1) found.push({ amount: Math.round(value * factor * 100) / 100, currency });
      }
    }
  }
  return found;
}
