/**
 * Turns client text into brief fields without a language model: the answer to the field Hermes asked
 * for, labelled lines ("Budget: 20k"), and corrections ("change budget to 20k", "add feature X (could)").
 */
import { parseDate, parseFeatures, parseList, parseMilestones, parseMoney } from './answer-parsing.js';
import { canonicalTimeZone } from '../../common/time-zone.js';
import type { BriefDraft, BriefField } from './brief-schema.js';

const ALIASES: Array<[RegExp, BriefField]> = [
  [/^(?:project\s+)?(?:title|name)$/, 'title'],
  [/^(?:summary|description|idea|overview)$/, 'summary'],
  [/^(?:goals?|objectives?)$/, 'goals'],
  [/^(?:users?|audience|target users?|customers?)$/, 'users'],
  [/^(?:features?|scope|requirements?)$/, 'features'],
  [/^(?:integrations?)$/, 'integrations'],
  [/^(?:data\s*sources?|data)$/, 'dataSources'],
  [/^(?:delivery\s*channels?|channels?|platforms?)$/, 'deliveryChannels'],
  [/^(?:constraints?|limits?)$/, 'constraints'],
  [/^(?:tech(?:nology)?(?:\s*(?:preferences?|stack))?|stack)$/, 'techPreferences'],
  [/^(?:deadline|due(?:\s*date)?|launch(?:\s*date)?|end\s*date|timeline)$/, 'deadline'],
  [/^(?:milestones?)$/, 'milestones'],
  [/^(?:budget|price|cost)$/, 'budget'],
  [/^(?:acceptance(?:\s*criteria)?|criteria|done\s*when)$/, 'acceptanceCriteria'],
  [/^(?:time\s*zone|tz)$/, 'timezone'],
];

/** The brief field a client's word for it names ("the deadline", "tech stack"), or null. */
export function fieldNamed(words: string): BriefField | null {
  const cleaned = words
    .toLowerCase()
    .replace(/^(?:the|my|our)\s+/, '')
    .trim();
  for (const [pattern, field] of ALIASES) if (pattern.test(cleaned)) return field;
  return null;
}

/**
 * Parses `text` as the value of `field`. `current` supplies the budget's currency when the client
 * gives only a number. Empty when the text does not fit the field (e.g. no date in it).
 */
export function answerFor(field: BriefField, text: string, now: Date, current: BriefDraft = {}): BriefDraft {
  const value = text.trim().replace(/^["'“]|["'”]$/g, '');
  if (value.length === 0) return {};
  switch (field) {
    case 'title':
      return { title: value.split(/\r?\n/)[0]!.replace(/[.!]$/, '').slice(0, 120).trim() };
    case 'summary':
      return { summary: value };
    case 'features':
      return { features: parseFeatures(value) };
    case 'deadline': {
      const deadline = parseDate(value, now);
      return deadline ? { timeline: { deadline } } : {};
    }
    case 'milestones':
      return { timeline: { milestones: parseMilestones(value, now) } };
    case 'budget': {
      const budget = parseMoney(value, current.budget?.currency ?? 'USD');
      return budget ? { budget } : {};
    }
    case 'timezone': {
      const zone = canonicalTimeZone(value.split(/\s+/)[0] ?? '');
      return zone ? { timezone: zone } : {};
    }
    default:
      return { [field]: parseList(value) };
  }
}

export interface FieldUpdates {
  updates: BriefDraft;
  /** Fields the text named explicitly. */
  named: BriefField[];
}

/**
 * Explicit updates in `text`: "Budget: 20k" lines, "change/set/make the budget to 20k",
 * "X should be Y", "add feature Z (could)" / "add Z to features". Lines that name no field are ignored.
 */
export function explicitUpdates(text: string, now: Date, current: BriefDraft = {}): FieldUpdates {
  const updates: BriefDraft = {};
  const named: BriefField[] = [];
  const apply = (field: BriefField, value: string, append: boolean) => {
    const parsed = answerFor(field, value, now, { ...current, ...updates });
    if (Object.keys(parsed).length === 0) return;
    if (append) appendTo(field, parsed, { ...current, ...updates });
    Object.assign(updates, mergeTimeline(updates, parsed));
    named.push(field);
  };
  for (const line of text.split(/\r?\n/)) {
    const trimmed = line.trim().replace(/^[-*•]\s+/, '');
    const change =
      /(?:^|\b)(?:change|set|update|make|move)\s+(?:the\s+)?(.{2,40}?)\s+(?:to|=)\s+(.+)$/i.exec(trimmed) ??
      /^(?:the\s+)?(.{2,40}?)\s+(?:should be|is now|is|are|=)\s+(.+)$/i.exec(trimmed);
    const add =
      /^(?:please\s+)?(?:add|also add)\s+(?:an?\s+|the\s+)?(feature|goal|user|integration|constraint|milestone|data source|channel|acceptance criterion)s?:?\s+(.+)$/i.exec(
        trimmed,
      ) ?? /^(?:please\s+)?add\s+(.+?)\s+to\s+(?:the\s+)?(.{3,30})$/i.exec(trimmed);
    const labelled = /^([A-Za-z][A-Za-z ]{1,30}):\s*(.+)$/.exec(trimmed);
    if (add) {
      const isFirstForm =
        /^(?:please\s+)?(?:add|also add)\s+(?:an?\s+|the\s+)?(feature|goal|user|integration|constraint|milestone|data source|channel|acceptance criterion)/i.test(
          trimmed,
        );
      const [fieldWords, value] = isFirstForm ? [add[1]!, add[2]!] : [add[2]!, add[1]!];
      const field = fieldNamed(fieldWords.replace(/criterion$/i, 'criteria'));
      if (field) {
        apply(field, value, true);
        continue;
      }
    }
    for (const match of [change, labelled]) {
      if (!match) continue;
      const field = fieldNamed(match[1]!);
      if (field) {
        apply(field, match[2]!, false);
        break;
      }
    }
  }
  return { updates, named: [...new Set(named)] };
}

function mergeTimeline(updates: BriefDraft, parsed: BriefDraft): BriefDraft {
  if (!parsed.timeline) return parsed;
  return { ...parsed, timeline: { ...updates.timeline, ...parsed.timeline } };
}

/** Turns a parsed list value into "existing items plus these". */
function appendTo(field: BriefField, parsed: BriefDraft, current: BriefDraft): void {
  if (field === 'features' && parsed.features) {
    parsed.features = [...(current.features ?? []), ...parsed.features];
  } else if (field === 'milestones' && parsed.timeline?.milestones) {
    parsed.timeline.milestones = [...(current.timeline?.milestones ?? []), ...parsed.timeline.milestones];
  } else {
    const key = field as keyof BriefDraft;
    const before = current[key];
    const added = parsed[key];
    if (Array.isArray(before) && Array.isArray(added)) {
      (parsed as Record<string, unknown>)[key] = [...(before as unknown[]), ...(added as unknown[])];
    }
  }
}
