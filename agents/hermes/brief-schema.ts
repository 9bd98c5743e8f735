/**
 * The Project Brief: what Hermes collects from a client before the work is handed off. `BriefDraftSchema`
 * is what a conversation holds while collecting (every field optional); `BriefSchema` is a complete brief,
 * stored as brief v1 on confirmation. Both the guided brain and the LLM brain produce drafts of this shape.
 */
import { z } from 'zod';
import { canonicalTimeZone } from '../../common/time-zone.js';

export const PRIORITIES = ['must', 'should', 'could'] as const;
export type Priority = (typeof PRIORITIES)[number];

const text = z.string().trim().min(1).max(2000);
const items = z.array(text).max(50);
/** A calendar date, `YYYY-MM-DD`. */
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date as YYYY-MM-DD');

export const FeatureSchema = z.object({
  name: text,
  priority: z.enum(PRIORITIES),
});
export type Feature = z.infer<typeof FeatureSchema>;

export const MilestoneSchema = z.object({ name: text, date: isoDate.nullable() });
export type Milestone = z.infer<typeof MilestoneSchema>;

export const BudgetSchema = z.object({
  amount: z.number().positive().finite(),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO currency code such as USD'),
});
export type Budget = z.infer<typeof BudgetSchema>;

export const BriefDraftSchema = z.object({
  title: text.max(120).optional(),
  summary: text.optional(),
  goals: items.optional(),
  users: items.optional(),
  features: z.array(FeatureSchema).max(100).optional(),
  integrations: items.optional(),
  dataSources: items.optional(),
  deliveryChannels: items.optional(),
  constraints: items.optional(),
  techPreferences: items.optional(),
  timeline: z
    .object({ deadline: isoDate.optional(), milestones: z.array(MilestoneSchema).max(50).optional() })
    .optional(),
  budget: BudgetSchema.optional(),
  acceptanceCriteria: items.optional(),
  /** The client's IANA time zone (e.g. Europe/Berlin): scheduled digests arrive at their hour there. */
  timezone: z
    .string()
    .trim()
    .refine((zone) => canonicalTimeZone(zone) !== null, 'an IANA time zone such as Europe/Berlin')
    .optional(),
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

/** Every field a client can name ("budget: 20k", "change the deadline to May 1"). */
export const BRIEF_FIELDS = [
  'title',
  'summary',
  'goals',
  'users',
  'features',
  'integrations',
  'dataSources',
  'deliveryChannels',
  'constraints',
  'techPreferences',
  'deadline',
  'milestones',
  'budget',
  'acceptanceCriteria',
  'timezone',
] as const;
export type BriefField = (typeof BRIEF_FIELDS)[number];

export const FIELD_LABELS: Record<BriefField, string> = {
  title: 'Title',
  summary: 'Summary',
  goals: 'Goals',
  users: 'Users',
  features: 'Features',
  integrations: 'Integrations',
  dataSources: 'Data sources',
  deliveryChannels: 'Delivery channels',
  constraints: 'Constraints',
  techPreferences: 'Tech preferences',
  deadline: 'Deadline',
  milestones: 'Milestones',
  budget: 'Budget',
  acceptanceCriteria: 'Acceptance criteria',
  timezone: 'Time zone',
};

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
