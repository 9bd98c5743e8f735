/**
 * The LLM intake brain: one structured call on the `fast` tier per client message. It decides the turn
 * (intent, draft updates, reply); every extracted field then goes through the grounding checks (a value
 * the client never gave is dropped and asked for), and the handler stores the turn, re-validates the
 * updates, computes what is missing and decides confirmations by its own rules. Local-only clients never
 * reach a cloud provider, and calls about a known project carry its id into the ledger. Failures
 * (LLM_UNAVAILABLE, LLM_OUTPUT_INVALID after the one repair, LLM_LOCAL_ONLY) are thrown to the handler,
 * which keeps the message and answers later.
 */
import { z } from 'zod';
import type { LlmRouter } from '../llm/llm-router.js';
import { generateStructured } from '../llm/structured-output.js';
import {
  BriefDraftSchema,
  BudgetSchema,
  FeatureSchema,
  mergeDraft,
  MilestoneSchema,
  missingFields,
  readDraft,
  REQUIRED_FIELDS,
} from './brief-schema.js';
import { groundUpdates, type GroundingContext } from './grounding.js';
import type { IntakeBrain, IntakeIntent, IntakeTurn, IntakeTurnInput } from './intake-brain.js';
import {
  INTAKE_SYSTEM_PROMPT,
  intakeMessages,
  PROMPT_ECHOES,
  PROMPT_MARKERS,
  STATE_KEYS,
  STATE_LABEL,
} from './llm-intake-prompt.js';
import { askForUngrounded } from './ungrounded-reply.js';

export const INTAKE_TIER = 'fast';
export const INTAKE_SCHEMA_NAME = 'intake_turn';

export const LlmIntakeTurnSchema = z.object({
  intent: z
    .enum(['new_project', 'confirm', 'correct', 'project_status', 'change_request', 'feedback', 'other'])
    .describe(
      'new_project: describing a project or answering questions; confirm: accepting the brief shown, unchanged; correct: changing the brief shown, before confirmation; project_status: asking about a stored project; change_request: changing a handed-off project; feedback; other.',
    ),
  draftUpdates: BriefDraftSchema.describe(
    "Only the brief fields the client's latest message states or changes, each taken from what the client wrote; {} when nothing changes.",
  ),
  missing: z.array(z.enum(REQUIRED_FIELDS)).describe('Required fields still missing after these updates.'),
  reply: z.string().trim().min(1).max(4000).describe('What Hermes says to the client, plain text.'),
  projectKey: z
    .string()
    .nullable()
    .describe(
      'Key of the client project (from client_projects) a status question or change is about, else null.',
    ),
  startOver: z.boolean().describe('True only when the client wants to start a new project after a hand-off.'),
});
export type LlmIntakeTurn = z.infer<typeof LlmIntakeTurnSchema>;

/** Names in the model's data and answer schema; a brief field that repeats one is not the client's. */
const SCHEMA_LABELS: readonly string[] = [
  ...STATE_KEYS,
  ...Object.keys(LlmIntakeTurnSchema.shape),
  ...Object.keys(BriefDraftSchema.shape),
  ...Object.keys(BudgetSchema.shape),
  ...Object.keys(FeatureSchema.shape),
  ...Object.keys(MilestoneSchema.shape),
  'deadline',
  'milestones',
];

export interface LlmIntakeBrainOptions {
  router: LlmRouter;
  tier?: string;
}

function groundingContext(input: IntakeTurnInput): GroundingContext {
  const clientMessages = input.conversation.messages
    .filter((message) => message.from === 'client')
    .map((message) => ({ text: message.text, at: new Date(message.at) }));
  if (!clientMessages.some((message) => message.text === input.text))
    clientMessages.push({ text: input.text, at: input.now });
  return {
    clientMessages,
    draft: input.draft,
    promptTexts: [INTAKE_SYSTEM_PROMPT, STATE_LABEL, ...PROMPT_ECHOES],
    labels: SCHEMA_LABELS,
    markers: PROMPT_MARKERS,
  };
}

export class LlmIntakeBrain implements IntakeBrain {
  readonly mode = 'llm' as const;

  constructor(private readonly options: LlmIntakeBrainOptions) {}

  async turn(input: IntakeTurnInput): Promise<IntakeTurn> {
    const { conversation } = input;
    const { data } = await generateStructured(this.options.router, {
      tier: this.options.tier ?? INTAKE_TIER,
      schema: LlmIntakeTurnSchema,
      schemaName: INTAKE_SCHEMA_NAME,
      messages: intakeMessages(input),
      temperature: 0.2,
      client: { localOnly: input.localOnly === true },
      projectId: conversation.projectId,
      meta: { purpose: 'intake', conversationId: conversation.id },
    });
    return turnFromAnswer(data, input);
  }
}

/**
 * The turn a model's answer makes once its updates are grounded: dropped fields are asked for, a turn that
 * dropped something is no confirmation, and what is missing is computed, not taken from the model.
 */
export function turnFromAnswer(data: LlmIntakeTurn, input: IntakeTurnInput): IntakeTurn {
  const { conversation } = input;
  const proposed = readDraft(data.draftUpdates);
  const grounded =
    data.intent === 'project_status'
      ? { updates: proposed, rejected: [] }
      : groundUpdates(proposed, groundingContext(input));
  const updates = grounded.updates;
  const missing = missingFields(mergeDraft(input.draft, updates));
  const named = input.projects.find((candidate) => candidate.key === data.projectKey);
  // A status question about no named project is about this conversation's project, else the newest.
  const projectId =
    named?.id ??
    (data.intent === 'project_status' ? (conversation.projectId ?? input.projects[0]?.id ?? null) : null);
  let intent: IntakeIntent = data.intent;
  let reply = data.reply;
  if (grounded.rejected.length > 0) {
    reply = askForUngrounded(
      grounded.rejected.map((rejection) => rejection.field),
      missing,
    );
    // A turn that had to drop something is not a confirmation, nor a change with nothing left in it.
    if (intent === 'confirm') intent = 'correct';
    if (intent === 'change_request' && Object.keys(updates).length === 0) intent = 'other';
  }
  return {
    intent,
    draftUpdates: updates,
    // What is missing is computed, not taken from the model.
    missing,
    reply,
    projectId,
    startOver: data.startOver && conversation.state === 'handed_off',
    appendBrief: true,
  };
}
