/**
 * Guided intake: Hermes without a language model. It asks for the missing required fields one at a time,
 * parses the answers (dates, amounts, lists), shows the brief back, and recognises confirmations,
 * corrections, status questions and change requests with keyword rules.
 */
import { formatMoney, FIELD_LABELS, mergeDraft, missingFields, renderBrief } from './brief-schema.js';
import type { BriefDraft, RequiredField } from './brief-schema.js';
import { answerFor, explicitUpdates } from './field-answers.js';
import type { IntakeBrain, IntakeTurn, IntakeTurnInput } from './intake-brain.js';
import {
  isChangeRequest,
  isConfirmation,
  isGreetingOnly,
  isNewProjectRequest,
  isStatusQuestion,
  projectNamed,
} from './intent-rules.js';

export const GUIDED_MODE_NOTICE =
  "A note up front: I'm running without a language model right now (guided mode), so I'll ask for what I need one question at a time and read your answers literally.";

const QUESTIONS: Record<RequiredField, string> = {
  summary: 'What would you like us to build? A sentence or two on the problem it solves is plenty.',
  title: 'What should we call the project? A short working title is fine.',
  features:
    "Which features does it need? List them separated by commas or on separate lines, and mark each must, should or could, e.g. 'login (must), PDF export (could)'.",
  deadline: "When do you need it delivered? A date such as 'March 15' or 'in 8 weeks' works.",
  budget: "What budget are we working with? For example '$12k' or '12,000 EUR'.",
};

const RETRY_HINTS: Partial<Record<RequiredField, string>> = {
  deadline: "I couldn't read a date in that. When do you need it delivered, e.g. 'March 15' or 'in 8 weeks'?",
  budget: "I couldn't find an amount in that. What's the budget, e.g. '$12k' or '12,000 EUR'?",
  features: 'I need at least one feature. What must it do? Separate several with commas.',
};

const CONFIRM_QUESTION =
  "Is this right? Reply 'yes' to confirm, or tell me what to change, e.g. 'change budget to 20k' or 'deadline: June 30'. You can also add goals, users, integrations, constraints or acceptance criteria the same way, e.g. 'users: sales managers'.";

export class GuidedIntakeBrain implements IntakeBrain {
  readonly mode = 'guided' as const;

  turn(input: IntakeTurnInput): Promise<IntakeTurn> {
    const hermesSpoke = input.conversation.messages.some((message) => message.from === 'hermes');
    const intro = hermesSpoke
      ? ''
      : `Hello, I'm Hermes, the Olympus project concierge. ${GUIDED_MODE_NOTICE}\n\n`;
    const turn = this.decide(input, !hermesSpoke);
    return Promise.resolve({ ...turn, reply: intro + turn.reply });
  }

  private decide(input: IntakeTurnInput, firstTurn: boolean): IntakeTurn {
    const { conversation, draft, text, projects } = input;
    const named = projectNamed(text, projects);
    if (isStatusQuestion(text) && projects.length > 0) {
      const projectId = named?.id ?? conversation.projectId ?? projects[0]?.id ?? null;
      return {
        intent: 'project_status',
        draftUpdates: {},
        missing: missingFields(draft),
        reply: '',
        projectId,
      };
    }
    if (conversation.state === 'handed_off') return this.afterHandOff(input, named?.id ?? null);
    if (conversation.state === 'confirming') return this.confirming(input);
    return this.collecting(input, firstTurn);
  }

  private afterHandOff(input: IntakeTurnInput, namedProjectId: string | null): IntakeTurn {
    const { text, now, draft } = input;
    const projectId = namedProjectId ?? input.conversation.projectId;
    if (isNewProjectRequest(text)) {
      return {
        intent: 'new_project',
        draftUpdates: {},
        missing: missingFields({}),
        reply: `Happy to start another one. ${QUESTIONS.summary}`,
        startOver: true,
      };
    }
    if (isChangeRequest(text)) {
      const { updates, named } = explicitUpdates(text, now, draft);
      if (named.length > 0)
        return { intent: 'change_request', draftUpdates: updates, missing: [], reply: '', projectId };
      return {
        intent: 'other',
        draftUpdates: {},
        missing: [],
        reply:
          "I couldn't tell which part of the brief to change. Name the field and the new value, e.g. 'change budget to 20k', 'deadline: June 30' or 'add feature: CSV export (could)'.",
      };
    }
    return {
      intent: 'feedback',
      draftUpdates: {},
      missing: [],
      reply:
        "Thanks, I've noted that in this conversation. Your project is with the team. Ask me 'how is the project going?' for its status, tell me a change (e.g. 'change budget to 20k'), or say 'new project' to start another.",
    };
  }

  private confirming(input: IntakeTurnInput): IntakeTurn {
    const { text, now, draft } = input;
    const { updates, named } = explicitUpdates(text, now, draft);
    if (named.length === 0 && isConfirmation(text) && missingFields(draft).length === 0) {
      return { intent: 'confirm', draftUpdates: {}, missing: [], reply: '' };
    }
    if (named.length === 0) {
      return {
        intent: 'correct',
        draftUpdates: {},
        missing: missingFields(draft),
        reply: `I couldn't match that to a part of the brief. ${CONFIRM_QUESTION}`,
      };
    }
    const merged = mergeDraft(draft, updates);
    const missing = missingFields(merged);
    const changed = named.map((field) => FIELD_LABELS[field].toLowerCase()).join(', ');
    const reply =
      missing.length > 0
        ? `Updated ${changed}. ${QUESTIONS[missing[0]!]}`
        : `Updated ${changed}. Here's the brief now:\n\n${renderBrief(merged)}\n\n${CONFIRM_QUESTION}`;
    return { intent: 'correct', draftUpdates: updates, missing, reply };
  }

  private collecting(input: IntakeTurnInput, firstTurn: boolean): IntakeTurn {
    const { text, now, draft } = input;
    const asked = missingFields(draft)[0];
    const explicit = explicitUpdates(text, now, draft);
    let updates: BriefDraft = explicit.updates;
    let acknowledgement = '';
    if (explicit.named.length === 0 && asked !== undefined) {
      if (firstTurn && isGreetingOnly(text)) {
        updates = {};
      } else {
        const value = asked === 'summary' ? stripGreeting(text) : text;
        updates = answerFor(asked, value, now, draft);
        if (Object.keys(updates).length === 0) {
          return {
            intent: 'new_project',
            draftUpdates: {},
            missing: missingFields(draft),
            reply: RETRY_HINTS[asked] ?? QUESTIONS[asked],
          };
        }
        acknowledgement = acknowledge(asked, updates);
      }
    } else if (explicit.named.length > 0) {
      acknowledgement = `Noted: ${explicit.named.map((field) => FIELD_LABELS[field].toLowerCase()).join(', ')}.`;
    }
    const merged = mergeDraft(draft, updates);
    const missing = missingFields(merged);
    const next = missing[0];
    const reply =
      next !== undefined
        ? [acknowledgement, QUESTIONS[next]].filter(Boolean).join(' ')
        : [
            acknowledgement,
            `That's everything I need. Here's the brief:\n\n${renderBrief(merged)}\n\n${CONFIRM_QUESTION}`,
          ]
            .filter(Boolean)
            .join(' ');
    return { intent: 'new_project', draftUpdates: updates, missing, reply };
  }
}

function stripGreeting(text: string): string {
  const stripped = text.replace(
    /^\s*(?:hi|hello|hey|good (?:morning|afternoon|evening))(?:\s+hermes)?[\s!,.]*/i,
    '',
  );
  return stripped.trim().length > 0 ? stripped.trim() : text.trim();
}

function acknowledge(field: RequiredField, updates: BriefDraft): string {
  switch (field) {
    case 'summary':
      return 'Thanks, that gives me the picture.';
    case 'title':
      return `"${updates.title ?? ''}" it is.`;
    case 'features':
      return `Got ${updates.features?.length ?? 0} feature${updates.features?.length === 1 ? '' : 's'}.`;
    case 'deadline':
      return `Deadline noted: ${updates.timeline?.deadline ?? ''}.`;
    case 'budget':
      return updates.budget ? `Budget noted: ${formatMoney(updates.budget)}.` : '';
  }
}
