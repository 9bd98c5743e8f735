/**
 * Grounding checks on the brief fields a model extracted, before anything is stored. A number (a budget
 * amount, a deadline or milestone date) must be found in, or derived from, the client's own messages of
 * this conversation ("300 USD", "$12k", "March 15", "within 2 weeks"). A text (title, summary, features,
 * lists, milestone names, time zone) must not repeat the prompt the model was given or the names of its
 * data (state keys, schema field names). A value equal to the one already stored is kept. What fails is
 * dropped from the updates and named, so Hermes asks the client for it instead of storing a guess.
 */
import {
  BRIEF_FIELDS,
  type BriefDraft,
  type BriefField,
  type Budget,
  type Milestone,
} from './brief-schema.js';
import { amountsNamedIn } from './client-amounts.js';
import { datesNamedIn, inSpan } from './client-dates.js';

export interface ClientText {
  text: string;
  /** When the client wrote it: relative dates ("within 2 weeks") count from here. */
  at: Date;
}

export interface GroundingContext {
  /** The client's own messages in this conversation, the one being answered included. */
  clientMessages: ClientText[];
  /** The draft as stored before this turn. */
  draft: BriefDraft;
  /** Text the model was given that did not come from the client (its instructions, data labels). */
  promptTexts: readonly string[];
  /** Names in the model's data and answer schema (`draft_brief`, `draftUpdates`, `title`…): one written as
   * an identifier is refused anywhere in a value, an ordinary word only as the whole value. */
  labels: readonly string[];
  /** Words of the prompt's labels that a brief never holds unless the client wrote them (`untrusted`). */
  markers: readonly string[];
}

export type RejectionReason = 'amount_not_in_messages' | 'date_not_in_messages' | 'repeats_prompt';

export interface RejectedField {
  field: BriefField;
  reason: RejectionReason;
}

export interface GroundedUpdates {
  updates: BriefDraft;
  /** Fields dropped (or partly dropped, for lists), once each, in brief order. */
  rejected: RejectedField[];
}

const PHRASE_WORDS = 5;
const STOP_WORDS = new Set(
  'a an and are as at be by for from has have in is it its of on or the their them they this to was what when with you your'.split(
    ' ',
  ),
);

function words(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? [];
}

function phrases(tokens: string[], length: number): Set<string> {
  const found = new Set<string>();
  for (let i = 0; i + length <= tokens.length; i++) found.add(tokens.slice(i, i + length).join(' '));
  return found;
}

/** A label written as an identifier (`draft_brief`, `draftUpdates`) rather than as an ordinary word. */
function isIdentifier(label: string): boolean {
  return /_|[a-z][A-Z]/.test(label);
}

/** What the text checks compare against, worked out once per turn. */
interface TextCheck {
  clientWords: Set<string>;
  clientText: string;
  promptText: string;
  promptPhrases: Set<string>;
  clientPhrases: Set<string>;
  identifiers: Set<string>;
  plainLabels: Set<string>;
}

function textCheck(context: GroundingContext): TextCheck {
  const clientTokens = context.clientMessages.flatMap((message) => [...words(message.text), '\u0000']);
  const promptTokens = context.promptTexts.flatMap((text) => [...words(text), '\u0000']);
  return {
    clientWords: new Set(clientTokens),
    clientText: ` ${clientTokens.join(' ')} `,
    promptText: ` ${promptTokens.join(' ')} `,
    promptPhrases: phrases(promptTokens, PHRASE_WORDS),
    clientPhrases: phrases(clientTokens, PHRASE_WORDS),
    identifiers: new Set(
      [...context.labels.filter(isIdentifier), ...context.markers].map((label) => label.toLowerCase()),
    ),
    plainLabels: new Set(context.labels.filter((label) => !isIdentifier(label)).map((l) => l.toLowerCase())),
  };
}

/** Whether a text value repeats the prompt or its labels rather than something the client wrote. */
function repeatsPrompt(value: string, check: TextCheck): boolean {
  const tokens = words(value);
  if (tokens.length === 0) return false;
  const whole = tokens.join(' ');
  const clientSaid = (phrase: string) => check.clientText.includes(` ${phrase} `);
  if (tokens.some((token) => check.identifiers.has(token) && !check.clientWords.has(token))) return true;
  if (tokens.length === 1 && check.plainLabels.has(whole) && !clientSaid(whole)) return true;
  if (tokens.length >= 2 && tokens.length < PHRASE_WORDS)
    return check.promptText.includes(` ${whole} `) && !clientSaid(whole);
  for (const phrase of phrases(tokens, PHRASE_WORDS)) {
    if (!check.promptPhrases.has(phrase) || check.clientPhrases.has(phrase)) continue;
    const content = phrase.split(' ').filter((word) => !STOP_WORDS.has(word));
    if (content.length >= 2) return true;
  }
  return false;
}

function sameValue(a: unknown, b: unknown): boolean {
  return a !== undefined && JSON.stringify(a) === JSON.stringify(b);
}

function dateGrounded(date: string, context: GroundingContext): boolean {
  return context.clientMessages.some((message) =>
    datesNamedIn(message.text, message.at).some((span) => inSpan(date, span)),
  );
}

function budgetGrounded(budget: Budget, context: GroundingContext): boolean {
  const cents = (amount: number) => Math.round(amount * 100);
  return context.clientMessages.some((message) =>
    amountsNamedIn(message.text, message.at).some(
      (named) =>
        cents(named.amount) === cents(budget.amount) &&
        (named.currency === null || named.currency === budget.currency),
    ),
  );
}

const LIST_FIELDS = [
  'goals',
  'users',
  'integrations',
  'dataSources',
  'deliveryChannels',
  'constraints',
  'techPreferences',
  'acceptanceCriteria',
] as const satisfies readonly BriefField[];

/** The updates with every field that is not grounded in the client's messages taken out. */
export function groundUpdates(updates: BriefDraft, context: GroundingContext): GroundedUpdates {
  const check = textCheck(context);
  const stored = context.draft;
  const kept: BriefDraft = { ...updates };
  const rejected = new Map<BriefField, RejectionReason>();
  const reject = (field: BriefField, reason: RejectionReason) => {
    if (!rejected.has(field)) rejected.set(field, reason);
  };
  const textOk = (value: string) => !repeatsPrompt(value, check);

  for (const field of ['title', 'summary', 'timezone'] as const) {
    const value = updates[field];
    if (value === undefined || sameValue(value, stored[field]) || textOk(value)) continue;
    delete kept[field];
    reject(field, 'repeats_prompt');
  }

  if (updates.features && !sameValue(updates.features, stored.features)) {
    const features = updates.features.filter((feature) => textOk(feature.name));
    if (features.length < updates.features.length) reject('features', 'repeats_prompt');
    if (features.length > 0) kept.features = features;
    else delete kept.features;
  }

  for (const field of LIST_FIELDS) {
    const values = updates[field];
    if (!values || sameValue(values, stored[field])) continue;
    const grounded = values.filter(textOk);
    if (grounded.length < values.length) reject(field, 'repeats_prompt');
    if (grounded.length > 0) kept[field] = grounded;
    else delete kept[field];
  }

  if (updates.timeline) {
    const timeline = { ...updates.timeline };
    const { deadline, milestones } = updates.timeline;
    if (
      deadline !== undefined &&
      !sameValue(deadline, stored.timeline?.deadline) &&
      !dateGrounded(deadline, context)
    ) {
      delete timeline.deadline;
      reject('deadline', 'date_not_in_messages');
    }
    if (milestones && !sameValue(milestones, stored.timeline?.milestones)) {
      const before = stored.timeline?.milestones ?? [];
      const grounded: Milestone[] = [];
      for (const milestone of milestones) {
        if (before.some((old) => sameValue(old, milestone))) grounded.push(milestone);
        else if (!textOk(milestone.name)) reject('milestones', 'repeats_prompt');
        else if (milestone.date !== null && !dateGrounded(milestone.date, context))
          reject('milestones', 'date_not_in_messages');
        else grounded.push(milestone);
      }
      if (grounded.length > 0) timeline.milestones = grounded;
      else delete timeline.milestones;
    }
    if (timeline.deadline === undefined && timeline.milestones === undefined) delete kept.timeline;
    else kept.timeline = timeline;
  }

  if (
    updates.budget &&
    !sameValue(updates.budget, stored.budget) &&
    !budgetGrounded(updates.budget, context)
  ) {
    delete kept.budget;
    reject('budget', 'amount_not_in_messages');
  }

  return {
    updates: kept,
    rejected: BRIEF_FIELDS.filter((field) => rejected.has(field)).map((field) => ({
      field,
      reason: rejected.get(field)!,
    })),
  };
}
