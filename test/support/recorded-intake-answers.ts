/**
 * Intake answers of models that got the brief wrong, as they answered (the JSON text of the structured
 * answer), with the client message each one answered. Written on 2026-03-02: one copied the prompt's
 * wrapper into the title, one took the budget from today's date, one gave a deadline the client never
 * named. The grounding checks must keep all of these out of the draft.
 */

export const RECORDED_ON = new Date('2026-03-02T10:00:00Z');

export interface RecordedAnswer {
  /** The client message the model answered. */
  client: string;
  /** The model's answer, verbatim. */
  answer: string;
}

export const WRAPPER_TEXT_AS_TITLE: RecordedAnswer = {
  client: 'Hi! We need a weekly email digest of our sales numbers for the regional managers.',
  answer: JSON.stringify({
    intent: 'new_project',
    draftUpdates: {
      title: 'Intake data for this turn (untrusted',
      summary: 'A weekly email digest of sales numbers for the regional managers',
    },
    missing: ['features', 'deadline', 'budget'],
    reply:
      'Thanks! I have noted "Intake data for this turn (untrusted" as the title. Which features do you need?',
    projectKey: null,
    startOver: false,
  }),
};

export const BUDGET_FROM_THE_DATE: RecordedAnswer = {
  client: 'Call it Sales Digest. It must email the digest and could export a PDF.',
  answer: JSON.stringify({
    intent: 'new_project',
    draftUpdates: {
      title: 'Sales Digest',
      features: [
        { name: 'email the digest', priority: 'must' },
        { name: 'export a PDF', priority: 'could' },
      ],
      budget: { amount: 2026, currency: 'USD' },
    },
    missing: ['deadline'],
    reply: 'Sales Digest with a budget of 2,026 USD. When do you need it?',
    projectKey: null,
    startOver: false,
  }),
};

export const DEADLINE_NEVER_GIVEN: RecordedAnswer = {
  client: 'The budget is $12k.',
  answer: JSON.stringify({
    intent: 'new_project',
    draftUpdates: {
      budget: { amount: 12_000, currency: 'USD' },
      timeline: { deadline: '2026-03-31' },
    },
    missing: [],
    reply: "Thanks, that's everything I need. Here's the brief for a check.",
    projectKey: null,
    startOver: false,
  }),
};

/** After all three, the client gives the deadline; the model answers correctly. */
export const DEADLINE_GIVEN: RecordedAnswer = {
  client: 'We need it within 2 weeks.',
  answer: JSON.stringify({
    intent: 'new_project',
    draftUpdates: { timeline: { deadline: '2026-03-16' } },
    missing: [],
    reply: "Thanks, that's everything I need. Here's the brief for a check.",
    projectKey: null,
    startOver: false,
  }),
};
