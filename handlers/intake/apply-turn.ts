/**
 * Stores one intake turn: the draft and state change (compare-and-set on the conversation's version), a
 * hand-off on confirmation, a change request as a new brief version, or a status answer from stored state.
 * Returns null when the conversation changed meanwhile (the caller re-reads it and runs the turn again).
 */
import {
  changedFields,
  FIELD_LABELS,
  mergeDraft,
  missingFields,
  readDraft,
  renderBrief,
} from '../../agents/hermes/brief-schema.js';
import type { IntakeTurn } from '../../agents/hermes/intake-brain.js';
import { renderStatus } from '../../agents/hermes/status-report.js';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { Conversation, ConversationPatch, Identity, Store } from '../../ports/store.js';
import { applyChangeRequest, createProjectFromBrief, loadProjectState } from './project-actions.js';

/** Asked after a brief shown by the handler (the LLM brain never writes the brief out itself). */
export const CONFIRM_QUESTION = "Is this right? Reply 'yes' to confirm, or tell me what to change.";
const NOT_CONFIRMED = 'Before I hand anything off, please check the brief as it stands now:';

export interface TurnContext {
  store: Store;
  identity: Identity;
  logger: Logger;
  /** Called once a confirmed brief became a project (starts planning; a sweep re-drives it if this fails). */
  onHandOff?: (projectId: string) => Promise<void>;
}

export interface AppliedTurn {
  conversation: Conversation;
  reply: string;
  projectId: string | null;
}

export async function applyTurn(
  context: TurnContext,
  conversation: Conversation,
  turn: IntakeTurn,
): Promise<AppliedTurn | null> {
  switch (turn.intent) {
    case 'confirm':
      // The handler's rule, whatever the brain says: only an unchanged brief the client has been shown
      // (state `confirming`) is handed off. A "confirmation" that changes the brief shows it again.
      if (conversation.state === 'confirming' && !changesDraft(conversation, turn))
        return handOff(context, conversation, turn);
      if (conversation.state === 'handed_off') return intakeUpdate(context, conversation, turn);
      return intakeUpdate(context, conversation, { ...turn, reply: NOT_CONFIRMED, appendBrief: true });
    case 'project_status':
      return {
        conversation,
        reply: await statusAnswer(context, turn.projectId ?? conversation.projectId),
        projectId: turn.projectId ?? null,
      };
    case 'change_request':
      if (conversation.state === 'handed_off') return changeRequest(context, conversation, turn);
      return intakeUpdate(context, conversation, turn);
    default:
      return intakeUpdate(context, conversation, turn);
  }
}

async function intakeUpdate(
  context: TurnContext,
  conversation: Conversation,
  turn: IntakeTurn,
): Promise<AppliedTurn | null> {
  let patch: ConversationPatch;
  if (turn.startOver) {
    patch = { state: 'collecting', draft: {}, projectId: null };
  } else if (conversation.state === 'handed_off') {
    return { conversation, reply: turn.reply, projectId: conversation.projectId };
  } else {
    const draft = readDraft(mergeDraft(readDraft(conversation.draft), readDraft(turn.draftUpdates)));
    patch = {
      draft: draft,
      state: missingFields(draft).length === 0 ? 'confirming' : 'collecting',
    };
  }
  const updated = await context.store.conversations.update(conversation.id, conversation.version, patch);
  if (!updated) return null;
  let reply = turn.reply;
  if (turn.appendBrief && updated.state === 'confirming') {
    reply = `${reply}\n\n${renderBrief(readDraft(updated.draft))}\n\n${CONFIRM_QUESTION}`;
  } else if (turn.appendBrief && turn.intent === 'confirm' && updated.state === 'collecting') {
    const labels = missingFields(readDraft(updated.draft)).map((field) => FIELD_LABELS[field].toLowerCase());
    reply = `Before I can hand this off I still need the ${labels.join(', ')}.`;
  }
  return { conversation: updated, reply, projectId: updated.projectId };
}

/** Whether the turn's draft updates would change the stored draft. */
function changesDraft(conversation: Conversation, turn: IntakeTurn): boolean {
  const draft = readDraft(conversation.draft);
  return changedFields(draft, mergeDraft(draft, readDraft(turn.draftUpdates))).length > 0;
}

async function handOff(
  context: TurnContext,
  conversation: Conversation,
  turn: IntakeTurn,
): Promise<AppliedTurn | null> {
  const { store, identity } = context;
  const draft = readDraft(conversation.draft);
  if (missingFields(draft).length > 0)
    return intakeUpdate(context, conversation, { ...turn, intent: 'correct' });
  // Claim the hand-off first: of two concurrent confirmations only one creates the project.
  const claimed = await store.conversations.update(conversation.id, conversation.version, {
    state: 'handed_off',
  });
  if (!claimed) return null;
  let created;
  try {
    created = await createProjectFromBrief(store, {
      draft,
      ownerId: identity.id,
      localOnly: identity.localOnly,
      conversationId: conversation.id,
    });
  } catch (error) {
    await store.conversations.update(claimed.id, claimed.version, { state: 'confirming' });
    throw error;
  }
  const { project } = created;
  let current: Conversation | null = claimed;
  for (let attempt = 0; current && attempt < 8; attempt++) {
    const linked = await store.conversations.update(current.id, current.version, { projectId: project.id });
    if (linked) {
      current = linked;
      break;
    }
    current = await store.conversations.get(conversation.id);
  }
  context.logger.info('project handed off', { projectId: project.id, key: project.key });
  await context.onHandOff?.(project.id).catch((error: unknown) => {
    context.logger.warn('could not start planning at once; the orchestration sweep will', {
      projectId: project.id,
      error: errorMessage(error),
    });
  });
  return {
    conversation: current ?? claimed,
    projectId: project.id,
    reply: `Confirmed. I've stored the brief as "${project.title}" (project key ${project.key}, brief v1) and handed it off to the team. They'll break it into tasks; an operator reviews anything that needs a human. Ask me "how is ${project.title} going?" any time, or tell me a change (e.g. "change budget to 20k").`,
  };
}

async function changeRequest(
  context: TurnContext,
  conversation: Conversation,
  turn: IntakeTurn,
): Promise<AppliedTurn> {
  const projectId = turn.projectId ?? conversation.projectId;
  if (!projectId) {
    return {
      conversation,
      projectId: null,
      reply:
        "I couldn't tell which project that change is for. Name it, e.g. 'change the digest budget to 20k'.",
    };
  }
  const project = await context.store.projects.get(projectId);
  if (!project || project.ownerId !== context.identity.id) {
    return { conversation, projectId: null, reply: "I couldn't find that project among yours." };
  }
  const result = await applyChangeRequest(context.store, {
    projectId,
    changes: readDraft(turn.draftUpdates),
    actor: context.identity.id,
  });
  if (!result) {
    return {
      conversation,
      projectId,
      reply: `The brief of "${project.title}" already says that; nothing changed.`,
    };
  }
  const fields = result.changed.join(', ');
  return {
    conversation,
    projectId,
    reply: `Done. "${project.title}" now has brief v${result.brief.version}, changing: ${fields}. The team plans against the new version.\n\n${renderBrief(readDraft(result.brief.content))}`,
  };
}

async function statusAnswer(context: TurnContext, projectId: string | null): Promise<string> {
  const state = projectId ? await loadProjectState(context.store, projectId) : null;
  if (!state || state.project.ownerId !== context.identity.id) {
    return "I couldn't find a project of yours to report on. Tell me about the project you have in mind and I'll write up a brief.";
  }
  return renderStatus(state);
}
