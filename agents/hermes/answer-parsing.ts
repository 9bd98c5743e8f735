/**
 * Parsers for a client's free-text answers in guided mode: dates (chrono-node), amounts of money
 * ("$12k", "12,000 EUR", "€1.5m"), lists (commas, semicolons, new lines, bullets) and features with
 * priorities ("login (must), dark mode - could").
 */
import * as chrono from 'chrono-node/en';
import {
  isCurrencyCode,
  PRIORITIES,
  type Budget,
  type Feature,
  type Milestone,
  type Priority,
} from './brief-schema.js';

/** A calendar date `YYYY-MM-DD` for the first date in `text`, preferring the future; null when none. */
export function parseDate(text: string, reference: Date = new Date()): string | null {
  const found = chrono.parseDate(text, reference, { forwardDate: true });
  if (!found || Number.isNaN(found.getTime())) return null;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${found.getFullYear()}-${pad(found.getMonth() + 1)}-${pad(found.getDate())}`;
}

export const CURRENCY_SYMBOLS: Record<string, string> = {
  $: 'USD',
  '€': 'EUR',
  '£': 'GBP',
  '¥': 'JPY',
  '₹': 'INR',
};
const WORDS: Record<string, string> = {
  dollar: 'USD',
  dollars: 'USD',
  usd: 'USD',
  euro: 'EUR',
  euros: 'EUR',
  eur: 'EUR',
  pound: 'GBP',
  pounds: 'GBP',
  gbp: 'GBP',
};
export const MULTIPLIERS: Record<string, number> = {
  k: 1_000,
  thousand: 1_000,
  m: 1_000_000,
  mm: 1_000_000,
  million: 1_000_000,
};

/**
 * The first amount of money in `text`. Currency from a symbol, an ISO code or a word; otherwise
 * `defaultCurrency`. Null when there is no number.
 */
export function parseMoney(text: string, defaultCurrency = 'USD'): Budget | null {
  const pattern =
    /(?:([$€£¥₹])|\b([A-Za-z]{3})\s)?\s*(\d{1,3}(?:[,\s]\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(k|m|mm|thousand|million)?\b\s*([A-Za-z]{3,7})?/i;
  const match = pattern.exec(text);
  if (!match) return null;
  const [, symbol, codeBefore, digits, multiplier, wordAfter] = match;
  const base = Number((digits ?? '').replace(/[,\s]/g, ''));
  if (!Number.isFinite(base) || base <= 0) return null;
  const amount =
    Math.round(base * (multiplier ? (MULTIPLIERS[multiplier.toLowerCase()] ?? 1) : 1) * 100) / 100;
  const currency =
    (symbol ? CURRENCY_SYMBOLS[symbol] : undefined) ??
    currencyWord(codeBefore) ??
    currencyWord(wordAfter) ??
    defaultCurrency;
  return { amount, currency };
}

/** The ISO code a currency word or code stands for ("euros", "CHF"), or undefined. */
export function currencyWord(word: string | undefined): string | undefined {
  if (!word) return undefined;
  const known = WORDS[word.toLowerCase()];
  if (known) return known;
  return /^[A-Z]{3}$/.test(word) && isCurrencyCode(word) ? word : undefined;
}

/** Items of a list written with commas, semicolons, new lines or bullets; "a, b and c" gives three. */
export function parseList(text: string): string[] {
  const parts = text
    .split(/\r?\n|;|,|•/)
    .map((part) => part.replace(/^\s*(?:[-*+]|\d+[.)])\s+/, '').trim())
    .filter((part) => part.length > 0);
  if (parts.length > 1) {
    const last = parts[parts.length - 1] ?? '';
    const split = last.split(/\s+and\s+/i);
    if (split.length === 2 && split.every((piece) => piece.trim().length > 0)) {
      parts.splice(parts.length - 1, 1, ...split.map((piece) => piece.trim()));
    }
    const first = parts[0];
    if (first !== undefined) parts[0] = first.replace(/^and\s+/i, '');
  }
  return parts
    .map((part) =>
      part
        .replace(/^and\s+/i, '')
        .replace(/[.]$/, '')
        .trim(),
    )
    .filter(Boolean);
}

/**
 * Features with priorities: "login (must), export to PDF - could, dark mode: nice to have".
 * No priority given means `must`.
 */
export function parseFeatures(text: string): Feature[] {
  return parseList(text).map((item) => {
    let priority: Priority = 'must';
    const found = /\b(must|should|could)(?:[\s-]+have)?\b|\bnice[\s-]+to[\s-]+have\b/i.exec(item);
    if (found) {
      const word = (found[1] ?? 'could').toLowerCase();
      priority = PRIORITIES.find((p) => p === word) ?? 'could';
    }
    const name = found
      ? (item.slice(0, found.index) + item.slice(found.index + found[0].length))
          .replace(/[()[\]]/g, ' ')
          .replace(/\s*[-:–]\s*$/, '')
          .replace(/^\s*[-:–]\s*/, '')
          .replace(/\s+/g, ' ')
          .trim()
      : item;
    return { name: name.length > 0 ? name : item, priority };
  });
}

/** Milestones: "beta by March 1, launch by April 15" (a part without a date keeps `date: null`). */
export function parseMilestones(text: string, reference: Date = new Date()): Milestone[] {
  return parseList(text).map((item) => {
    const [name, when] = item.split(/\s+(?:by|on|in|at|:)\s+/i, 2);
    const date = when ? parseDate(when, reference) : null;
    return { name: (date ? name : item)?.trim() || item, date };
  });
}
