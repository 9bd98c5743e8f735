/**
 * What a brief asks of a plan, and whether a plan gives it. The brief's items get ids the planner sees and
 * cites in each task's `covers`: features are `F1`, `F2`… in the brief's order; the delivery channels
 * the brief names or implies (email, Slack, push…) are `D1`, `D2`…; a schedule it implies (daily, every
 * morning, at 7am, cron…) is `S1`. Pure code, no model:
 *   - every must-have feature is covered by a build task (any role but athena) and verified by an athena task;
 *   - a delivery channel or a schedule needs a hephaestus task (something must run and send on time);
 *   - `covers` names only items of this brief.
 */
import type { Plan } from './plan-schema.js';
import type { PlanProblem } from './validate-plan.js';

export type BriefItemKind = 'feature' | 'delivery' | 'schedule';

export interface BriefItem {
  /** `F1`, `D1`, `S1`… */
  id: string;
  kind: BriefItemKind;
  text: string;
  /** Features only: must, should or could. */
  priority?: string;
  /** Whether the plan must cover it (must-have features; channels and schedules need a hephaestus task). */
  required: boolean;
}

const CHANNELS: [RegExp, string][] = [
  [/\be-?mail(?:s|ed|ing)?\b|\binbox\b|\bnewsletter\b/i, 'email'],
  [/\bslack\b/i, 'Slack'],
  [/\bdiscord\b/i, 'Discord'],
  [/\bsms\b|\btext messages?\b/i, 'SMS'],
  [/\bpush(?:\s+notifications?)?\b/i, 'push notifications'],
  [/\btelegram\b/i, 'Telegram'],
  [/\bwhatsapp\b/i, 'WhatsApp'],
  [/\bmicrosoft teams\b|\bms teams\b/i, 'Microsoft Teams'],
  [/\bwebhooks?\b/i, 'webhook'],
];

const SCHEDULE =
  /\b(?:daily|nightly|weekly|hourly|monthly|every\s+(?:day|morning|evening|night|week|weekday|hour|month|monday|tuesday|wednesday|thursday|friday|saturday|sunday|\d+\s*(?:minutes?|hours?|days?|weeks?))|each\s+(?:day|morning|evening|week|month)|cron(?:\s*job)?|on\s+a\s+schedule|scheduled|at\s+\d{1,2}(?::\d{2})?\s*(?:am|pm)|at\s+\d{1,2}:\d{2})\b/i;

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(strings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(strings);
  return [];
}

/** The items of a stored brief (a draft's shape; anything else in it is read as text only). */
export function briefItems(brief: Record<string, unknown>): BriefItem[] {
  const items: BriefItem[] = [];
  const features = Array.isArray(brief.features) ? brief.features : [];
  features.forEach((feature: unknown, index) => {
    const { name, priority } = (feature ?? {}) as { name?: unknown; priority?: unknown };
    if (typeof name !== 'string' || name.trim() === '') return;
    const level = typeof priority === 'string' ? priority : 'must';
    items.push({
      id: `F${index + 1}`,
      kind: 'feature',
      text: name.trim(),
      priority: level,
      required: level === 'must',
    });
  });
  // The brief's words, not the budget or dates: where it reaches people and when it runs.
  const { budget: _budget, timeline: _timeline, timezone: _zone, ...described } = brief;
  const text = strings(described).join('\n');
  const named = strings(brief.deliveryChannels)
    .map((channel) => channel.trim())
    .filter(Boolean);
  const channels = [...named];
  for (const [pattern, channel] of CHANNELS) {
    const already = channels.some(
      (known) => pattern.test(known) || known.toLowerCase() === channel.toLowerCase(),
    );
    if (!already && pattern.test(text)) channels.push(channel);
  }
  channels.forEach((channel, index) =>
    items.push({ id: `D${index + 1}`, kind: 'delivery', text: `delivered by ${channel}`, required: true }),
  );
  const schedule = SCHEDULE.exec(text);
  if (schedule) {
    items.push({ id: 'S1', kind: 'schedule', text: `runs on a schedule (${schedule[0]})`, required: true });
  }
  return items;
}

/** The plan's gaps against the brief's items, as plan problems the model can act on. */
export function checkCoverage(plan: Plan, items: BriefItem[]): PlanProblem[] {
  const problems: PlanProblem[] = [];
  const known = new Map(items.map((item) => [item.id, item]));
  for (const task of plan.tasks) {
    for (const id of task.covers) {
      if (!known.has(id))
        problems.push({
          code: 'unknown_cover',
          task: task.key,
          message: `Task "${task.key}" covers "${id}", which is not an item of the brief (items: ${[...known.keys()].join(', ') || 'none'}).`,
        });
    }
  }
  for (const item of items.filter((candidate) => candidate.kind === 'feature' && candidate.required)) {
    const covering = plan.tasks.filter((task) => task.covers.includes(item.id));
    if (!covering.some((task) => task.role !== 'athena'))
      problems.push({
        code: 'feature_not_built',
        task: null,
        message: `Must-have feature ${item.id} ("${item.text}") is not covered by any build task: list "${item.id}" in the covers of the task that builds it.`,
      });
    if (!covering.some((task) => task.role === 'athena'))
      problems.push({
        code: 'feature_not_verified',
        task: null,
        message: `Must-have feature ${item.id} ("${item.text}") is not verified by any athena (QA) task: add a QA task that covers "${item.id}".`,
      });
  }
  const operations = items.filter((item) => item.kind !== 'feature');
  if (operations.length > 0 && !plan.tasks.some((task) => task.role === 'hephaestus')) {
    const needs = operations.map((item) => `${item.id} (${item.text})`).join(', ');
    problems.push({
      code: 'operations_missing',
      task: null,
      message: `The brief needs something that runs and delivers: ${needs}. Add a hephaestus task that deploys and schedules it (and lists ${operations
        .map((item) => `"${item.id}"`)
        .join(', ')} in its covers).`,
    });
  }
  return problems;
}

/** "F1 email digest" for a task's covers, as shown on the plan_review card. */
export function coverLabels(covers: readonly string[], items: readonly BriefItem[]): string[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  return covers.map((id) => {
    const item = byId.get(id);
    return item ? `${id} ${item.text}` : id;
  });
}
