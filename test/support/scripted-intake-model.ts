/**
 * A scripted intake model for the fake LLM server: it answers `intake_turn` requests from the
 * conversation it is sent, the way a model would, not from turn numbers. It reads the state message
 * (today, the draft, the intake state) and the client's last user turn, and extracts a title ("call it
 * X"), a summary ("we need a …", "I need a …"), features ("must …", "could …"), a deadline ("within 2 weeks",
 * "by March 15, 2031") and a budget ("$12k", "300 USD"). A message that names where the data comes from, how
 * it is delivered and when ("Daily emails from my Pocket articles, every morning at 7am to my inbox") is
 * read as a model would: the feature in those words with the time as HH:MM, the data source, the service
 * to integrate, the delivery channel, a fuller summary and, when the client gave no title, one made of
 * their own words ("Pocket Digest"). Faults make it answer like models that got briefs wrong:
 * the prompt's wrapper text as the title, the year of today's date as the budget, a deadline nobody gave.
 */
import { STATE_LABEL } from '../../agents/hermes/llm-intake-prompt.js';
import type { ScriptedReply } from './fake-llm-server.js';

export interface IntakeModelFaults {
  /** A title copied from prompt wrapper text when the client gave none. */
  wrapperTitle?: boolean;
  /** The year of today's date as the budget when the client gave none. */
  budgetFromDate?: boolean;
  /** A deadline a month from today when the client gave none. */
  inventedDeadline?: boolean;
}

interface State {
  today: string;
  intake_state: string;
  draft_brief: Record<string, unknown> & { timeline?: { deadline?: string } };
}

type Message = { role: string; content?: string | null };

const MONTHS = 'january february march april may june july august september october november december'.split(
  ' ',
);

function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

function isIntakeRequest(body: Record<string, unknown>): boolean {
  const format = body.response_format as { json_schema?: { name?: string } } | undefined;
  const ollama = body.format as { properties?: Record<string, unknown> } | undefined;
  return format?.json_schema?.name === 'intake_turn' || ollama?.properties?.intent !== undefined;
}

function deadlineIn(text: string, today: string): string | undefined {
  const weeks = /\bwithin\s+(\d+)\s+weeks?\b/i.exec(text);
  if (weeks) return addDays(today, 7 * Number(weeks[1]));
  const date =
    /\b(january|february|march|april|may|june|july|august|september|october|november|december)\s+(\d{1,2}),\s*(\d{4})\b/i.exec(
      text,
    );
  if (date) {
    const month = String(MONTHS.indexOf(date[1]!.toLowerCase()) + 1).padStart(2, '0');
    return `${date[3]}-${month}-${date[2]!.padStart(2, '0')}`;
  }
  return undefined;
}

function budgetIn(text: string): { amount: number; currency: string } | undefined {
  const dollars = /\$(\d+(?:\.\d+)?)(k)?\b/i.exec(text);
  if (dollars) return { amount: Number(dollars[1]) * (dollars[2] ? 1000 : 1), currency: 'USD' };
  const coded = /\b(\d[\d,]*)\s*(USD|EUR|GBP|CHF)\b/.exec(text);
  if (coded) return { amount: Number(coded[1]!.replace(/,/g, '')), currency: coded[2]! };
  return undefined;
}

/** Answers intake requests from the conversation; other requests are left to the server's queues. */
export function scriptedIntakeModel(
  faults: IntakeModelFaults = {},
): (body: Record<string, unknown>) => ScriptedReply | undefined {
  return (body) => {
    if (!isIntakeRequest(body)) return undefined;
    const messages = (body.messages ?? []) as Message[];
    const stateText = messages.find(
      (m) => m.role === 'system' && m.content?.startsWith(STATE_LABEL),
    )?.content;
    if (!stateText) return { status: 400, error: 'no intake state in the conversation' };
    const state = JSON.parse(stateText.slice(STATE_LABEL.length + 1)) as State;
    const text = messages.filter((m) => m.role === 'user').at(-1)?.content ?? '';
    const draft = state.draft_brief;

    if (state.intake_state === 'confirming' && /^\s*(?:yes|yep|looks good|confirm)/i.test(text)) {
      return { content: turn('confirm', {}, [], 'Wonderful.') };
    }
    const updates: Record<string, unknown> = {};
    const summary = /\b(?:we|I) need (an? [^.!?]+)/i.exec(text)?.[1];
    if (summary) updates.summary = summary[0]!.toUpperCase() + summary.slice(1);
    const named = /\b(?:[Cc]all it|called)\s+([A-Z][\w ]*?)(?=[.,!]|$)/.exec(text)?.[1];
    const clientTexts = messages.filter((m) => m.role === 'user').map((m) => m.content ?? '');
    const scheduled = scheduledDelivery(text, clientTexts);
    if (scheduled) Object.assign(updates, scheduled.updates);
    // A title the client gave, else one made of their own words when the draft has none.
    const title = named ?? (draft.title === undefined ? scheduled?.title : undefined);
    if (title) updates.title = title;
    else if (faults.wrapperTitle && draft.title === undefined)
      updates.title = 'Intake data for this turn (untrusted';
    const features = [
      ...text.matchAll(/\b(must|should|could)\s+([^,.;]+?)(?=\s+and\s+(?:must|should|could)\b|[,.;]|$)/gi),
    ].map((match) => ({
      name: match[2]!.trim(),
      priority: match[1]!.toLowerCase(),
    }));
    if (features.length > 0) updates.features = [...((updates.features as unknown[]) ?? []), ...features];
    const deadline =
      deadlineIn(text, state.today) ??
      (faults.inventedDeadline && draft.timeline?.deadline === undefined
        ? addDays(state.today, 30)
        : undefined);
    if (deadline) updates.timeline = { deadline };
    const budget =
      budgetIn(text) ??
      (faults.budgetFromDate && draft.budget === undefined
        ? { amount: Number(state.today.slice(0, 4)), currency: 'USD' }
        : undefined);
    if (budget) updates.budget = budget;

    const after = { ...draft, ...updates } as State['draft_brief'];
    const missing = [
      ['summary', after.summary],
      ['title', after.title],
      ['features', after.features],
      ['deadline', after.timeline?.deadline],
      ['budget', after.budget],
    ]
      .filter(([, value]) => value === undefined)
      .map(([field]) => field as string);
    const reply =
      missing.length === 0
        ? "Thanks, that's everything I need. Here's the brief for a check."
        : `Noted${budget ? `, with a budget of ${budget.amount} ${budget.currency}` : ''}. What about the ${missing.slice(0, 2).join(' and ')}?`;
    return { content: turn('new_project', updates, missing, reply) };
  };
}

const HOURS = /\b(\d{1,2})(?::(\d{2}))?\s*(am|pm)\b/i;
const FREQUENCY = /\b(daily|weekly|every (?:morning|day|evening|week))\b/i;

/** A 12-hour time ("7am", "6:30 pm") as HH:MM. */
function clockTime(match: RegExpExecArray): string {
  const hour = (Number(match[1]) % 12) + (match[3]!.toLowerCase() === 'pm' ? 12 : 0);
  return `${String(hour).padStart(2, '0')}:${match[2] ?? '00'}`;
}

/**
 * What a message saying where the data comes from ("from my Pocket articles"), how it is delivered (email,
 * inbox) and how often (daily, every morning, at 7am) adds to the brief; null when it does not say all three.
 */
function scheduledDelivery(
  text: string,
  clientTexts: string[],
): { updates: Record<string, unknown>; title: string } | null {
  const source = /\bfrom my ([A-Z][\w-]*)(?:\s+([a-z]+))?/.exec(text);
  const frequency = FREQUENCY.exec(text);
  const email = /\be-?mails?\b|\binbox\b/i.test(text);
  if (!source || !frequency || !email) return null;
  const service = source[1]!;
  const items = source[2] ?? 'items';
  const time = HOURS.exec(text);
  const daily = /^(daily|every (morning|day|evening))$/i.test(frequency[1]!) ? 'Daily' : 'Weekly';
  const at = time ? ` at ${clockTime(time)}` : '';
  const noun = clientTexts.some((message) => /\bdigest\b/i.test(message)) ? 'digest' : 'email';
  return {
    updates: {
      summary: `A ${daily.toLowerCase()} email ${noun} of my ${service} ${items}, sent${at} ${daily === 'Daily' ? 'every morning' : 'every week'} to my inbox`,
      features: [{ name: `${daily} email of my saved ${service} ${items}${at}`, priority: 'must' }],
      integrations: [`${service} API`],
      dataSources: [`${service} ${items}`],
      deliveryChannels: ['email'],
    },
    title: `${service} ${noun[0]!.toUpperCase()}${noun.slice(1)}`,
  };
}

function turn(
  intent: string,
  draftUpdates: Record<string, unknown>,
  missing: string[],
  reply: string,
): string {
  return JSON.stringify({ intent, draftUpdates, missing, reply, projectKey: null, startOver: false });
}
