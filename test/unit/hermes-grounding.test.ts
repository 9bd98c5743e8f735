/**
 * Grounding checks on what a model extracted: recorded answers that copied the prompt's wrapper into the
 * title, took the budget from today's date or gave a deadline the client never named keep none of it;
 * values the client wrote ("$12k", "300 USD", "within 2 weeks", "March 15") are kept.
 */
import { describe, expect, test } from '@jest/globals';
import { mergeDraft, readDraft, type BriefDraft } from '../../agents/hermes/brief-schema.js';
import { amountsNamedIn } from '../../agents/hermes/client-amounts.js';
import { datesNamedIn } from '../../agents/hermes/client-dates.js';
import { groundUpdates, type GroundingContext } from '../../agents/hermes/grounding.js';
import type { IntakeTurn } from '../../agents/hermes/intake-brain.js';
import { LlmIntakeTurnSchema, turnFromAnswer } from '../../agents/hermes/llm-intake-brain.js';
import {
  INTAKE_SYSTEM_PROMPT,
  PROMPT_ECHOES,
  PROMPT_MARKERS,
  STATE_KEYS,
  STATE_LABEL,
} from '../../agents/hermes/llm-intake-prompt.js';
import { parseStructured } from '../../agents/llm/structured-output.js';
import type { Conversation, ConversationMessage } from '../../ports/store.js';
import {
  BUDGET_FROM_THE_DATE,
  DEADLINE_GIVEN,
  DEADLINE_NEVER_GIVEN,
  RECORDED_ON,
  WRAPPER_TEXT_AS_TITLE,
  type RecordedAnswer,
} from '../support/recorded-intake-answers.js';

const now = RECORDED_ON;

function context(texts: string[], draft: BriefDraft = {}): GroundingContext {
  return {
    clientMessages: texts.map((text) => ({ text, at: now })),
    draft,
    promptTexts: [INTAKE_SYSTEM_PROMPT, STATE_LABEL, ...PROMPT_ECHOES],
    labels: [...STATE_KEYS, 'title', 'summary', 'draftUpdates', 'projectKey', 'startOver'],
    markers: PROMPT_MARKERS,
  };
}

/** A conversation as the handler keeps it, and the draft stored after each turn. */
class Intake {
  messages: ConversationMessage[] = [];
  draft: BriefDraft = {};

  answer(recorded: RecordedAnswer): IntakeTurn {
    this.messages.push({ from: 'client', text: recorded.client, at: now });
    const conversation: Conversation = {
      id: '00000000-0000-4000-8000-000000000001',
      surface: 'console',
      threadKey: 'console:grounding',
      identityId: '00000000-0000-4000-8000-000000000002',
      state: 'collecting',
      messages: [...this.messages],
      draft: this.draft,
      projectId: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    const parsed = parseStructured(recorded.answer, LlmIntakeTurnSchema);
    if (!parsed.ok) throw new Error(parsed.problem);
    const turn = turnFromAnswer(parsed.data, {
      conversation,
      draft: this.draft,
      text: recorded.client,
      projects: [],
      now,
    });
    // What the handler stores: the updates merged into the draft, re-validated.
    this.draft = readDraft(mergeDraft(this.draft, readDraft(turn.draftUpdates)));
    this.messages.push({ from: 'hermes', text: turn.reply, at: now });
    return turn;
  }
}

describe('recorded answers that got the brief wrong', () => {
  test('wrapper text as the title, the budget from the date, a deadline never given: none is stored', () => {
    const intake = new Intake();

    const first = intake.answer(WRAPPER_TEXT_AS_TITLE);
    expect(intake.draft).toEqual({
      summary: 'A weekly email digest of sales numbers for the regional managers',
    });
    expect(first.reply).toContain("I haven't noted the title yet");
    expect(first.reply).toContain('What should we call the project?');
    expect(first.reply).not.toContain('Intake data');

    const second = intake.answer(BUDGET_FROM_THE_DATE);
    expect(intake.draft).toMatchObject({
      title: 'Sales Digest',
      features: [
        { name: 'email the digest', priority: 'must' },
        { name: 'export a PDF', priority: 'could' },
      ],
    });
    expect(intake.draft.budget).toBeUndefined();
    expect(second.reply).toContain("I haven't noted the budget yet");
    expect(second.reply).toContain('What budget do you have in mind');
    expect(second.reply).not.toContain('2,026');

    const third = intake.answer(DEADLINE_NEVER_GIVEN);
    expect(intake.draft.budget).toEqual({ amount: 12_000, currency: 'USD' });
    expect(intake.draft.timeline).toBeUndefined();
    expect(third.missing).toEqual(['deadline']);
    expect(third.reply).toContain("I haven't noted the deadline yet");
    expect(third.reply).toContain('By what date do you need it?');

    const fourth = intake.answer(DEADLINE_GIVEN);
    expect(fourth.reply).toBe("Thanks, that's everything I need. Here's the brief for a check.");
    expect(fourth.missing).toEqual([]);
    expect(intake.draft.timeline).toEqual({ deadline: '2026-03-16' });
  });

  test('a confirmation that had to drop a field is not a confirmation', () => {
    const intake = new Intake();
    intake.answer(WRAPPER_TEXT_AS_TITLE);
    const turn = intake.answer({
      client: 'Yes, go ahead.',
      answer: JSON.stringify({
        intent: 'confirm',
        draftUpdates: { budget: { amount: 1_000_000, currency: 'USD' } },
        missing: [],
        reply: 'Confirmed with a budget of 1M!',
        projectKey: null,
        startOver: false,
      }),
    });
    expect(turn.intent).toBe('correct');
    expect(turn.draftUpdates).toEqual({});
    expect(turn.reply).toContain("I haven't noted the budget yet");
  });
});

describe('numbers must come from the client', () => {
  test('amounts: symbols, codes, k and M, ranges; the numbers of a date are no amount', () => {
    const amounts = (text: string) => amountsNamedIn(text, now).map((a) => [a.amount, a.currency]);
    expect(amounts('the budget is $12k')).toContainEqual([12_000, 'USD']);
    expect(amounts('about 300 USD')).toContainEqual([300, 'USD']);
    expect(amounts('€1.5m')).toContainEqual([1_500_000, 'EUR']);
    expect(amounts('with budget 2M.')).toContainEqual([2_000_000, null]);
    expect(amounts('raise it to 1,000,000 USD')).toContainEqual([1_000_000, 'USD']);
    expect(amounts('roughly 9 000 CHF')).toContainEqual([9_000, 'CHF']);
    expect(amounts('10-15k')).toEqual(
      expect.arrayContaining([
        [10_000, null],
        [15_000, null],
      ]),
    );
    expect(amounts('due March 15, 2031 or 2031-04-01')).toEqual([]);
  });

  test('dates: explicit, month and year, relative to when it was written', () => {
    const covers = (text: string, date: string) =>
      datesNamedIn(text, now).some((span) => span.from <= date && date <= span.to);
    expect(covers('by March 15', '2026-03-15')).toBe(true);
    expect(covers('due March 15, 2031', '2031-03-15')).toBe(true);
    expect(covers('by September 2031', '2031-09-01')).toBe(true);
    expect(covers('by September 2031', '2031-09-30')).toBe(true);
    expect(covers('within 2 weeks', '2026-03-16')).toBe(true);
    expect(covers('in 3 months', '2026-06-02')).toBe(true);
    expect(covers('by Q3 2027', '2027-09-30')).toBe(true);
    expect(covers('by 2028', '2028-12-31')).toBe(true);
    expect(covers('within 2 weeks', '2026-04-30')).toBe(false);
    expect(covers('the budget is 1M', '2026-03-02')).toBe(false);
  });

  test('a budget or deadline the client never wrote is dropped; one they wrote is kept', () => {
    const said = ['A sales digest, due March 15, 2031. Budget €5,000.'];
    expect(
      groundUpdates(
        { budget: { amount: 5_000, currency: 'EUR' }, timeline: { deadline: '2031-03-15' } },
        context(said),
      ),
    ).toEqual({
      updates: { budget: { amount: 5_000, currency: 'EUR' }, timeline: { deadline: '2031-03-15' } },
      rejected: [],
    });
    // The year of the deadline taken as the budget; the right amount in the wrong currency.
    for (const budget of [
      { amount: 2031, currency: 'EUR' },
      { amount: 5_000, currency: 'USD' },
    ]) {
      expect(groundUpdates({ budget }, context(said))).toEqual({
        updates: {},
        rejected: [{ field: 'budget', reason: 'amount_not_in_messages' }],
      });
    }
    const grounded = groundUpdates(
      { timeline: { deadline: '2031-06-30', milestones: [{ name: 'beta', date: '2031-03-15' }] } },
      context(said),
    );
    expect(grounded).toEqual({
      updates: { timeline: { milestones: [{ name: 'beta', date: '2031-03-15' }] } },
      rejected: [{ field: 'deadline', reason: 'date_not_in_messages' }],
    });
  });

  test('a value already stored is kept as it is', () => {
    const draft: BriefDraft = {
      budget: { amount: 8_000, currency: 'USD' },
      timeline: { deadline: '2026-05-01' },
    };
    expect(groundUpdates({ ...draft }, context(['Add a PDF export.'], draft)).rejected).toEqual([]);
  });
});

describe('texts must not repeat the prompt or its labels', () => {
  test('wrapper text, labels and schema names are dropped; the client’s own words are kept', () => {
    const said = ['We need an untrusted-input scanner called Sieve, with a Slack summary.'];
    const grounded = groundUpdates(
      {
        title: 'Sieve',
        summary: 'An untrusted-input scanner',
        features: [
          { name: 'Slack summary', priority: 'must' },
          { name: 'draftUpdates', priority: 'must' },
          { name: 'missing_required_fields', priority: 'could' },
        ],
        goals: ['Intake state kept by the Olympus system', 'Catch bad input early'],
        users: ['title'],
      },
      context(said),
    );
    expect(grounded.updates).toEqual({
      title: 'Sieve',
      summary: 'An untrusted-input scanner',
      features: [{ name: 'Slack summary', priority: 'must' }],
      goals: ['Catch bad input early'],
    });
    expect(grounded.rejected.map((r) => r.field)).toEqual(['goals', 'users', 'features']);
    for (const title of [
      'Intake data for this turn (untrusted',
      'Untrusted',
      'draft_brief',
      'Project Brief',
    ]) {
      expect(groundUpdates({ title }, context(['We need a CRM.'])).rejected).toEqual([
        { field: 'title', reason: 'repeats_prompt' },
      ]);
    }
  });
});
