/**
 * The Project Brief: what Hermes collects from a client before the work is handed off. `BriefDraftSchema`
 * is what a conversation holds while collecting (every field optional); `BriefSchema` is a complete brief,
 * stored as brief v1 on confirmation. Both the guided brain and the LLM brain produce drafts of this shape.
 */
import { z } from 'zod';
import { BRIEF_FIELDS, type BriefField } from '../../common/brief-labels.js';
import { canonicalTimeZone } from '../../common/time-zone.js';

export const PRIORITIES = ['must', 'should', 'could'] as const;
export type Priority = (typeof PRIORITIES)[number];

const text = z.string().trim().min(1).max(2000);
const items = z.array(text).max(50);
/** A calendar date, `YYYY-MM-DD`. */
const isoDate = z.iso.date('a date as YYYY-MM-DD').describe('A calendar date, YYYY-MM-DD.');

const CURRENCY_CODES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/** Whether `code` is an ISO 4217 currency code (USD, EUR, CHF…). */
export function isCurrencyCode(code: string): boolean {
  return CURRENCY_CODES.has(code);
}

export const FeatureSchema = z.object({
  name: text.describe("What the feature does, in the client's words."),
  priority: z
    .enum(PRIORITIES)
    .describe('must (the client needs it; also when they did not say), should, or could (nice to have).'),
});
export type Feature = z.infer<typeof FeatureSchema>;

export const MilestoneSchema = z.object({
  name: text,
  date: isoDate.nullable().describe('The date the client gave for it (YYYY-MM-DD), or null.'),
});
export type Milestone = z.infer<typeof MilestoneSchema>;

export const BudgetSchema = z.object({
  amount: z
    .number()
    .positive()
    .finite()
    .describe('The total amount the client named, as a number ("$12k" is 12000).'),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'an ISO currency code such as USD')
    .refine(isCurrencyCode, 'an ISO 4217 currency code such as USD, EUR or GBP')
    .describe('ISO 4217 currency code, three capital letters: USD, EUR, GBP, CHF, JPY…'),
});
export type Budget = z.infer<typeof BudgetSchema>;

export const BriefDraftSchema = z.object({
  title: text.max(120).optional().describe('Short name of the project, as the client calls it.'),
  summary: text.optional().describe('What the project is, in one to three sentences.'),
  goals: items.optional().describe('What the client wants to achieve with it.'),
  users: items.optional().describe('Who uses it.'),
  features: z.array(FeatureSchema).max(100).optional().describe('What it must, should or could do.'),
  integrations: items.optional().describe('Systems it connects to.'),
  dataSources: items.optional().describe('Where its data comes from.'),
  deliveryChannels: items.optional().describe('Where it reaches its users (email, Slack, web…).'),
  constraints: items.optional().describe('Limits the client named (compliance, hosting, legal…).'),
  techPreferences: items.optional().describe('Languages, frameworks or platforms the client prefers.'),
  timeline: z
    .object({
      deadline: isoDate.optional().describe('When the client needs it, YYYY-MM-DD.'),
      milestones: z.array(MilestoneSchema).max(50).optional(),
    })
    .optional(),
  budget: BudgetSchema.optional().describe('The budget the client named: amount and currency.'),
  acceptanceCriteria: items.optional().describe('How the client will judge it done.'),
  /** The client's IANA time zone (e.g. Europe/Berlin): scheduled digests arrive at their hour there. */
  timezone: z
    .string()
    .trim()
    .refine((zone) => canonicalTimeZone(zone) !== null, 'an IANA time zone such as Europe/Berlin')
    .optional()
    .describe("The client's IANA time zone, e.g. Europe/Berlin."),
});
export type BriefDraft = z.infer<typeof BriefDraftSchema>;

export const BriefSchema = BriefDraftSchema.extend({
  title: text.max(120),
  summary: text,
  features: z.array(FeatureSchema).min(1).max(100),
  timeline: z.object({ deadline: isoDate, milestones: z.array(MilestoneSchema).max(50).optional() }),
  budget: BudgetSchema,
});
export type Brief = z.infer<typeof BriefSchema>;

/** Fields a brief needs before Hermes asks the client to confirm it, in the order guided mode asks. */
export const REQUIRED_FIELDS = ['summary', 'title', 'features', 'deadline', 'budget'] as const;
export type RequiredField = (typeof REQUIRED_FIELDS)[number];

// The fields and their labels live in common/ so the web console's page can show them without zod.
export { BRIEF_FIELDS, FIELD_LABELS, type BriefField } from '../../common/brief-labels.js';

/** Required fields the draft does not have yet, in asking order. */
export function missingFields(draft: BriefDraft): RequiredField[] {
  const has: Record<RequiredField, boolean> = {
    title: draft.title !== undefined,
    summary: draft.summary !== undefined,
    features: (draft.features?.length ?? 0) > 0,
    deadline: draft.timeline?.deadline !== undefined,
    budget: draft.budget !== undefined,
  };
  return REQUIRED_FIELDS.filter((field) => !has[field]);
}

/** Reads a stored draft; anything that does not fit the schema is dropped field by field. */
export function readDraft(stored: Record<string, unknown>): BriefDraft {
  const whole = BriefDraftSchema.safeParse(stored);
  if (whole.success) return whole.data;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(stored)) {
    if (BriefDraftSchema.safeParse({ [key]: value }).success) kept[key] = value;
  }
  return BriefDraftSchema.parse(kept);
}

/** Merges updates into a draft (a field in `updates` replaces the same field; timeline merges). */
export function mergeDraft(draft: BriefDraft, updates: BriefDraft): BriefDraft {
  const merged: BriefDraft = { ...draft, ...updates };
  if (draft.timeline || updates.timeline) merged.timeline = { ...draft.timeline, ...updates.timeline };
  return merged;
}

/** Names of the fields whose values differ between two briefs (for change records). */
export function changedFields(before: BriefDraft, after: BriefDraft): BriefField[] {
  const value = (brief: BriefDraft, field: BriefField): unknown =>
    field === 'deadline'
      ? brief.timeline?.deadline
      : field === 'milestones'
        ? brief.timeline?.milestones
        : brief[field];
  return BRIEF_FIELDS.filter(
    (field) => JSON.stringify(value(before, field) ?? null) !== JSON.stringify(value(after, field) ?? null),
  );
}

export function formatMoney(budget: Budget): string {
  return `${budget.amount.toLocaleString('en-US', { maximumFractionDigits: 2 })} ${budget.currency}`;
}

/** The brief as plain text, one field per line or block, the way Hermes shows it back to a client. */
export function renderBrief(brief: BriefDraft): string {
  const lines: string[] = [];
  const list = (label: string, values: string[] | undefined) => {
    if (values && values.length > 0) lines.push(`${label}:`, ...values.map((value) => `  - ${value}`));
  };
  lines.push(`Title: ${brief.title ?? '(not set)'}`);
  lines.push(`Summary: ${brief.summary ?? '(not set)'}`);
  list('Goals', brief.goals);
  list('Users', brief.users);
  list(
    'Features',
    brief.features?.map((feature) => `${feature.name} (${feature.priority})`),
  );
  list('Integrations', brief.integrations);
  list('Data sources', brief.dataSources);
  list('Delivery channels', brief.deliveryChannels);
  list('Constraints', brief.constraints);
  list('Tech preferences', brief.techPreferences);
  lines.push(`Deadline: ${brief.timeline?.deadline ?? '(not set)'}`);
  list(
    'Milestones',
    brief.timeline?.milestones?.map((m) => (m.date ? `${m.name} by ${m.date}` : m.name)),
  );
  lines.push(`Budget: ${brief.budget ? formatMoney(brief.budget) : '(not set)'}`);
  list('Acceptance criteria', brief.acceptanceCriteria);
  if (brief.timezone) lines.push(`Time zone: ${brief.timezone}`);
  return lines.join('\n');
}
