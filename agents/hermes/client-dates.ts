/**
 * The dates a client's text names or implies, as inclusive spans of calendar days: "March 15, 2031" is
 * that day, "by September 2031" any day of that month, "within 2 weeks" two weeks from when it was
 * written (give or take a few days), "Q3 2031" that quarter, "by 2031" that year. Used to check that a
 * date the model extracted comes from what the client wrote.
 */
import * as chrono from 'chrono-node/en';

export interface DateSpan {
  /** First day, YYYY-MM-DD. */
  from: string;
  /** Last day, YYYY-MM-DD. */
  to: string;
}

const DAY_MS = 86_400_000;
const RELATIVE =
  /\b(?:days?|weeks?|fortnight|months?|years?|tomorrow|today|tonight|next|this|within|from now|end of)\b/i;

/** A parsed expression counts as a date only when it names one: "1M" or "5pm" are not dates. */
const DATE_WORD =
  /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|mon|tue|wed|thu|fri|sat|sun)|\b(?:days?|weeks?|fortnight|months?|years?|tomorrow|today|tonight|weekend)\b/i;
const NUMERIC_DATE = /\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\b\d{1,2}\/\d{1,2}\b/;

function dateResults(text: string, reference: Date): chrono.ParsedResult[] {
  return chrono
    .parse(text, reference, { forwardDate: true })
    .filter((result) => DATE_WORD.test(result.text) || NUMERIC_DATE.test(result.text));
}

function ymd(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

function around(date: Date, slackDays: number): DateSpan {
  return {
    from: ymd(new Date(date.getTime() - slackDays * DAY_MS)),
    to: ymd(new Date(date.getTime() + slackDays * DAY_MS)),
  };
}

function monthOf(year: number, month: number): DateSpan {
  return { from: ymd(new Date(year, month, 1)), to: ymd(new Date(year, month + 1, 0)) };
}

/** How far a model's reading of a relative expression may sit from ours. */
function slackFor(text: string): number {
  if (/\b(?:weeks?|fortnight)\b/i.test(text)) return 3;
  if (/\bmonths?\b/i.test(text)) return 7;
  if (/\byears?\b/i.test(text)) return 31;
  return 1;
}

function union(a: DateSpan, b: DateSpan): DateSpan {
  return { from: a.from < b.from ? a.from : b.from, to: a.to > b.to ? a.to : b.to };
}

function fromChrono(result: chrono.ParsedResult): DateSpan[] {
  const { start, end, text } = result;
  const date = start.date();
  const relative = RELATIVE.test(text);
  let span: DateSpan;
  if (start.isCertain('day') || start.isCertain('weekday')) {
    span = around(date, relative ? slackFor(text) : 1);
  } else if (start.isCertain('month')) {
    // "by June" is any day of June; "in 3 months" is also about three months from when it was written.
    span = monthOf(date.getFullYear(), date.getMonth());
    if (relative) span = union(span, around(date, slackFor(text)));
  } else {
    return [];
  }
  if (end) {
    const last = end.date();
    span = union(span, end.isCertain('day') ? around(last, 1) : monthOf(last.getFullYear(), last.getMonth()));
  }
  return [span];
}

const YEAR =
  /\b(?:by|before|in|during|until|till|through|within)\s+(?:the\s+)?(?:end\s+of\s+)?(20\d{2})\b|\bend\s+of\s+(20\d{2})\b/gi;
const QUARTER = /\bQ([1-4])(?:\s*(?:of\s+)?(20\d{2}))?\b/gi;
const END_OF_YEAR = /\b(?:end\s+of\s+(?:the|this)\s+year|year[\s-]end)\b/i;
const NEXT_YEAR = /\bnext\s+year\b/i;

/** Spans the chrono parser does not give: a bare year, a quarter, the end of this year, next year. */
function fromWords(text: string, reference: Date): DateSpan[] {
  const spans: DateSpan[] = [];
  for (const match of text.matchAll(YEAR)) {
    const year = match[1] ?? match[2]!;
    spans.push({ from: `${year}-01-01`, to: `${year}-12-31` });
  }
  for (const match of text.matchAll(QUARTER)) {
    const quarter = Number(match[1]);
    let year = match[2] ? Number(match[2]) : reference.getFullYear();
    if (!match[2] && new Date(year, quarter * 3, 0) < reference) year += 1;
    spans.push({ from: ymd(new Date(year, (quarter - 1) * 3, 1)), to: ymd(new Date(year, quarter * 3, 0)) });
  }
  if (END_OF_YEAR.test(text)) spans.push(around(new Date(reference.getFullYear(), 11, 31), 7));
  if (NEXT_YEAR.test(text)) {
    const year = reference.getFullYear() + 1;
    spans.push({ from: `${year}-01-01`, to: `${year}-12-31` });
  }
  return spans;
}

/** The date expressions in `text` (their positions), for taking them out before reading amounts. */
export function dateExpressions(text: string, reference: Date): Array<{ index: number; length: number }> {
  const found = dateResults(text, reference).map((result) => ({
    index: result.index,
    length: result.text.length,
  }));
  for (const pattern of [YEAR, QUARTER]) {
    for (const match of text.matchAll(pattern)) found.push({ index: match.index, length: match[0].length });
  }
  return found;
}

/** Every span of days `text` names or implies, read as written at `reference`. */
export function datesNamedIn(text: string, reference: Date): DateSpan[] {
  return [...dateResults(text, reference).flatMap(fromChrono), ...fromWords(text, reference)];
}

export function inSpan(date: string, span: DateSpan): boolean {
  return date >= span.from && date <= span.to;
}
