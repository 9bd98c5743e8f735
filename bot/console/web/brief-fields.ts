/**
 * A brief as a person reads it: one row per field in the order Hermes shows it, with human labels and
 * values in words — never a raw field name or JSON. The fields and labels come from common/brief-labels.ts,
 * the same ones Hermes's schema uses, which imports nothing, so the page's bundle carries no schema.
 */
import { BRIEF_FIELDS, FIELD_LABELS, isBriefField } from '../../../common/brief-labels';

export interface BriefRow {
  /** The field's name (`data-field`), for tests and styling. */
  field: string;
  label: string;
  value: string;
}

/** A field name the page has no label for, in words: `budgetAmount` → "Budget amount". */
export function humanLabel(field: string): string {
  if (isBriefField(field)) return FIELD_LABELS[field];
  const words = field
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase();
  return words.length === 0 ? field : words[0]!.toUpperCase() + words.slice(1);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A value in words: lists joined, money as "12,000 USD", features with their priority, milestones by date. */
export function showValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return value.toLocaleString('en');
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.map(showValue).join(', ');
  if (isRecord(value)) {
    if (typeof value.amount === 'number')
      return `${value.amount.toLocaleString('en', { maximumFractionDigits: 2 })}${typeof value.currency === 'string' ? ` ${value.currency}` : ''}`;
    if (typeof value.name === 'string') {
      if (typeof value.priority === 'string') return `${value.name} (${value.priority})`;
      if ('date' in value)
        return typeof value.date === 'string' ? `${value.name} by ${value.date}` : value.name;
    }
    return Object.entries(value)
      .filter(([, item]) => item !== null && item !== undefined)
      .map(([key, item]) => `${humanLabel(key)}: ${showValue(item)}`)
      .join('; ');
  }
  return typeof value === 'bigint' ? value.toLocaleString('en') : '—';
}

/** The brief's rows: known fields in Hermes's order (the timeline as its deadline and milestones), then any other. */
export function briefRows(draft: Record<string, unknown>): BriefRow[] {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(draft)) {
    if (key === 'timeline' && isRecord(value)) {
      const { deadline, milestones, ...rest } = value;
      fields.deadline = deadline;
      fields.milestones = milestones;
      for (const [inner, item] of Object.entries(rest)) fields[inner] = item;
    } else fields[key] = value;
  }
  const present = (key: string) => {
    const value = fields[key];
    return value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0);
  };
  const order = [
    ...BRIEF_FIELDS.filter((key) => key in fields),
    ...Object.keys(fields).filter((key) => !isBriefField(key)),
  ];
  return order
    .filter(present)
    .map((field) => ({ field, label: humanLabel(field), value: showValue(fields[field]) }));
}
