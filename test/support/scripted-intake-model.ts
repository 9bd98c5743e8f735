/**
 * A scripted intake model for the fake LLM server: it answers `intake_turn` requests from the
 * conversation it is sent, the way a model would, not from turn numbers. It reads the state message
 * (today, the draft, the intake state) and the client's last user turn, and extracts a title ("call it
 * X"), a summary ("we need a …"), features ("must …", "could …"), a deadline ("within 2 weeks", "by March
 * 15, 2031") and a budget ("$12k", "300 USD"). Faults make it answer like models that got briefs wrong:
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
    const summary = /\bwe need (an? [^.!?]+)/i.exec(text)?.[1];
    if (summary) updates.summary = summary[0]!.toUpperCase() + summary.slice(1);
    const title = /\b(?:[Cc]all it|called)\s+([A-Z][\w ]*?)(?=[.,!]|$)/.exec(text)?.[1];
    if (title) updates.title = title;
    else if (faults.wrapperTitle && draft.title === undefined)
      updates.title = 'Intake data for this turn (untrusted';
    const features = [
      ...text.matchAll(/\b(must|should|could)\s+([^,.;]+?)(?=\s+and\s+(?:must|should|could)\b|[,.;]|$)/gi),
    ].map((match) => ({
      name: match[2]!.trim(),
      priority: match[1]!.toLowerCase(),
    }));
    if (features.length > 0) updates.features = features;
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

function turn(
  intent: string,
  draftUpdates: Record<string, unknown>,
  missing: string[],
  reply: string,
): string {
  return JSON.stringify({ intent, draftUpdates, missing, reply, projectKey: null, startOver: false });
}
