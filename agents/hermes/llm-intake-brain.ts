/**
 * The LLM intake brain: one structured call on the `fast` tier per client message. It decides the turn
 * (intent, draft updates, reply); the handler stores it, re-validates the updates, computes what is missing
 * and decides confirmations by its own rules. Local-only clients never reach a cloud provider, and calls
 * about a known project carry its id into the ledger. Failures (LLM_UNAVAILABLE, LLM_OUTPUT_INVALID after
 * the one repair, LLM_LOCAL_ONLY) are thrown to the handler, which keeps the message and answers later.
 */
import { z } from 'zod';
import type { LlmRouter } from '../llm/llm-router.js';
import { generateStructured } from '../llm/structured-output.js';
import { BriefDraftSchema, mergeDraft, missingFields, readDraft, REQUIRED_FIELDS } from './brief-schema.js';
import type { IntakeBrain, IntakeTurn, IntakeTurnInput } from './intake-brain.js';
import { intakeMessages } from './llm-intake-prompt.js';

export const INTAKE_TIER = 'fast';
export const INTAKE_SCHEMA_NAME = 'intake_turn';

export const LlmIntakeTurnSchema = z.object({
  intent: z.enum([
    'new_project',
    'confirm',
    'correct',
    'project_status',
    'change_request',
    'feedback',
    'other',
  ]),
  draftUpdates: BriefDraftSchema,
  missing: z.array(z.enum(REQUIRED_FIELDS)),
  reply: z.string().trim().min(1).max(4000),
  projectKey: z.string().nullable(),
  startOver: z.boolean(),
});
export type LlmIntakeTurn = z.infer<typeof LlmIntakeTurnSchema>;

export interface LlmIntakeBrainOptions {
  router: LlmRouter;
  tier?: string;
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
    const updates = readDraft(data.draftUpdates);
    const named = input.projects.find((candidate) => candidate.key === data.projectKey);
    // A status question about no named project is about this conversation's project, else the newest.
    const projectId =
      named?.id ??
      (data.intent === 'project_status' ? (conversation.projectId ?? input.projects[0]?.id ?? null) : null);
    return {
      intent: data.intent,
      draftUpdates: updates,
      // What is missing is computed, not taken from the model.
      missing: missingFields(mergeDraft(input.draft, updates)),
      reply: data.reply,
      projectId,
      startOver: data.startOver && conversation.state === 'handed_off',
      appendBrief: true,
    };
  }
}
