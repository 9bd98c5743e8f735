/**
 * Hermes's reply when fields the model extracted were dropped by the grounding checks: it names what it
 * did not note and asks for it (one or two questions, the dropped fields first), instead of a reply that
 * assumes a value nobody gave.
 */
import { FIELD_LABELS, type BriefField, type RequiredField } from './brief-schema.js';

const QUESTIONS: Partial<Record<BriefField, string>> = {
  title: 'What should we call the project?',
  summary: 'In a sentence or two, what should it do?',
  features: 'Which features does it need?',
  deadline: 'By what date do you need it?',
  milestones: 'Which milestones do you have in mind, and by when?',
  budget: 'What budget do you have in mind (an amount and a currency)?',
  timezone: 'Which time zone are you in?',
};

function joined(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)!}`;
}

function question(field: BriefField): string {
  return QUESTIONS[field] ?? `What should I note as the ${FIELD_LABELS[field].toLowerCase()}?`;
}

/** The reply naming the dropped fields and asking for them, then for what is still missing. */
export function askForUngrounded(rejected: BriefField[], missing: RequiredField[]): string {
  const named = joined(rejected.map((field) => FIELD_LABELS[field].toLowerCase()));
  const pronoun = rejected.length === 1 ? 'it' : 'them';
  const asked = [...new Set<BriefField>([...rejected, ...missing])].slice(0, 2).map(question);
  return `Thanks. I haven't noted the ${named} yet: I couldn't find ${pronoun} in your messages, and I'd rather ask than guess. ${asked.join(' ')}`;
}
