/**
 * The Project Brief's fields in the order Hermes shows them, with the label a person reads for each. Plain
 * data, importing nothing: Hermes's schema (agents/hermes/brief-schema.ts) and the web console's page
 * (bot/console/web/brief-fields.ts) both read it, and the page's bundle must carry no schema (no zod).
 */

/** Every field a client can name ("budget: 20k", "change the deadline to May 1"), in showing order. */
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

/** Whether `name` is one of the brief's fields (a stored draft may hold others). */
export function isBriefField(name: string): name is BriefField {
  return (BRIEF_FIELDS as readonly string[]).includes(name);
}
