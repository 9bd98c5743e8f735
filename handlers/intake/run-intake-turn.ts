/**
 * One intake turn for a claimed inbox entry: identity and conversation, the client's message kept in the
 * conversation exactly once (also when the entry is processed again), the brain's turn applied with a
 * compare-and-set (retried on conflict), and Hermes's reply appended. A brain failure that defers the turn
 * comes back as a polite reply plus the reason to store on the entry.
 */
import { OlympusError } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import { readDraft } from '../../agents/hermes/brief-schema.js';
import type {
  IntakeBrain,
  IntakeIntent,
  IntakeTurn,
  ProjectSummary,
} from '../../agents/hermes/intake-brain.js';
import type { Conversation, IdentityHandle, IntakeState, Store, Surface } from '../../ports/store.js';
import { applyTurn, type TurnContext } from './apply-turn.js';
import { deferredReason, deferredReply, deferringCode } from './intake-inbox.js';

export interface IncomingClientMessage {
  /** Natural key of the inbound event (Slack event_id, IMAP UID key, console message id…). */
  key: string;
  surface: Surface;
  /** Who wrote it (lower-cased email address, Slack user id, console name). */
  handle: IdentityHandle;
  displayName: string;
  /** The surface thread; one conversation per thread. */
  threadKey: string;
  text: string;
  /**
   * True when the surface stored the event in the inbox under `key` before its ack and holds that entry's
   * claim (Slack's receiver): the message is attached to that entry instead of being recorded again, and
   * the surface marks the entry done once the reply is out. A deferred turn still marks it failed.
   */
  claimed?: boolean;
  /**
   * Why this message must not be answered (the surface's loop guard, e.g. `X-Auto-Response-Suppress`):
   * set, the message is kept in the conversation but never reaches the brain and gets an empty reply.
   */
  noReply?: string;
}

export interface ClientMessageResult {
  reply: string;
  conversationId: string;
  state: IntakeState;
  draft: Record<string, unknown>;
  projectId: string | null;
  intent: IntakeIntent;
  /** True when this event key was seen before and the stored reply is returned. */
  duplicate: boolean;
  /** True when the brain could not answer: the message is kept and answered later by a redrive. */
  deferred: boolean;
  correlationId: string;
}

export interface EventContext {
  correlationId: string;
  logger: Logger;
}

export interface TurnDependencies {
  store: Store;
  brain: IntakeBrain;
  now: () => Date;
  onHandOff?: (projectId: string) => Promise<void>;
}

export interface TurnOutcome {
  result: Omit<ClientMessageResult, 'duplicate' | 'correlationId'>;
  /** Set when the turn was deferred: the reason to store on the inbox entry. */
  deferredReason: string | null;
}

const MAX_CAS_ATTEMPTS = 8;

export async function runIntakeTurn(
  deps: TurnDependencies,
  incoming: IncomingClientMessage,
  context: EventContext,
  live: boolean,
): Promise<TurnOutcome> {
  const { store, brain, now } = deps;
  const { text } = incoming;
  const identity = await store.identities.ensureByHandle(incoming.handle, {
    displayName: incoming.displayName,
    role: 'client',
  });
  const ensured = await store.conversations.ensure(incoming.surface, incoming.threadKey, identity.id);
  let conversation = await keepClientMessage(deps, ensured.id, incoming.key, text);
  for (let attempt = 1; conversation && attempt <= MAX_CAS_ATTEMPTS; attempt++) {
    const projects = await store.projects.list({ ownerId: identity.id });
    const summaries: ProjectSummary[] = projects
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map(({ id, key, title, status }) => ({ id, key, title, status }));
    let turn: IntakeTurn;
    try {
      turn = await brain.turn({
        conversation,
        draft: readDraft(conversation.draft),
        text,
        projects: summaries,
        now: now(),
        localOnly: identity.localOnly || projects.some((project) => project.localOnly),
      });
    } catch (error) {
      const code = deferringCode(error);
      if (code === null) throw error;
      const reply = deferredReply(code, error);
      // Said once, when the client is waiting; a redrive that fails again stays quiet.
      const current = live
        ? ((await store.conversations.appendMessage(conversation.id, {
            at: now(),
            from: 'hermes',
            text: reply,
          })) ?? conversation)
        : conversation;
      return {
        result: {
          reply,
          conversationId: current.id,
          state: current.state,
          draft: current.draft,
          projectId: current.projectId,
          intent: 'other',
          deferred: true,
        },
        deferredReason: deferredReason(code, error),
      };
    }
    const turnContext: TurnContext = {
      store,
      identity,
      logger: context.logger,
      ...(deps.onHandOff ? { onHandOff: deps.onHandOff } : {}),
    };
    const applied = await applyTurn(turnContext, conversation, turn);
    if (!applied) {
      context.logger.debug('conversation changed meanwhile; retrying the turn', { attempt });
      conversation = await store.conversations.get(ensured.id);
      continue;
    }
    const final =
      (await store.conversations.appendMessage(applied.conversation.id, {
        at: now(),
        from: 'hermes',
        text: applied.reply,
      })) ?? applied.conversation;
    return {
      result: {
        reply: applied.reply,
        conversationId: final.id,
        state: final.state,
        draft: final.draft,
        projectId: final.projectId ?? applied.projectId,
        intent: turn.intent,
        deferred: false,
      },
      deferredReason: null,
    };
  }
  throw new OlympusError('STORE_CONFLICT', `conversation ${ensured.id} kept changing`, {
    retryable: true,
    userMessage: 'Several messages arrived at once; please send that again.',
  });
}

/**
 * Appends the client's message once per event: a marker (keyed by the event) fixes the message's time
 * first, so processing the event again finds the message instead of adding it twice.
 */
export async function keepClientMessage(
  deps: Pick<TurnDependencies, 'store' | 'now'>,
  conversationId: string,
  key: string,
  text: string,
): Promise<Conversation | null> {
  const { store } = deps;
  const markerId = `received:${key}`;
  const marker = await store.outbox.enqueue(markerId, 'intake.received', {
    conversationId,
    at: deps.now().toISOString(),
  });
  if (marker.inserted) await store.outbox.complete(markerId, { kept: true });
  const storedAt = Date.parse(String((marker.entry.payload as { at?: unknown } | null)?.at));
  const at = Number.isNaN(storedAt) ? deps.now() : new Date(storedAt);
  if (!marker.inserted) {
    const conversation = await store.conversations.get(conversationId);
    const kept = conversation?.messages.some(
      (message) =>
        message.from === 'client' && message.text === text && new Date(message.at).getTime() === at.getTime(),
    );
    if (conversation && kept) return conversation;
  }
  return store.conversations.appendMessage(conversationId, { at, from: 'client', text });
}
