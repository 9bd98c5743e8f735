/**
 * The one entry point for a client's message on any surface: `dispatch(incoming)`. It records the event in
 * the inbox by its natural key (a repeat gets the stored reply, nothing is processed twice), ensures the
 * identity and the conversation, runs the intake brain, stores the turn with a compare-and-set on the
 * conversation's version (retried on conflict), and returns Hermes's reply.
 */
import { errorMessage, OlympusError } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { Logger } from '../../common/logging/logger.js';
import { readDraft } from '../../agents/hermes/brief-schema.js';
import type { IntakeBrain, IntakeIntent, ProjectSummary } from '../../agents/hermes/intake-brain.js';
import type { Conversation, IdentityHandle, IntakeState, Store, Surface } from '../../storage/ports.js';
import { applyTurn, type TurnContext } from './apply-turn.js';
import { cleanClientText } from './untrusted-text.js';

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
  correlationId: string;
}

export interface ClientMessageDependencies {
  store: Store;
  brain: IntakeBrain;
  logger: Logger;
  now?: () => Date;
}

export interface EventContext {
  correlationId: string;
  logger: Logger;
}

const MAX_CAS_ATTEMPTS = 8;
const REPLY_KIND = 'hermes.reply';

export class ClientMessageHandler {
  private readonly now: () => Date;

  constructor(private readonly deps: ClientMessageDependencies) {
    this.now = deps.now ?? (() => new Date());
  }

  async dispatch(incoming: IncomingClientMessage): Promise<ClientMessageResult> {
    const context: EventContext = { correlationId: newId(), logger: this.deps.logger };
    context.logger = this.deps.logger.child({
      correlationId: context.correlationId,
      eventKey: incoming.key,
      surface: incoming.surface,
    });
    const { store } = this.deps;
    const text = cleanClientText(incoming.text);
    if (text.length === 0) {
      throw new OlympusError('VALIDATION', 'empty message', { userMessage: 'The message is empty.' });
    }
    const recorded = await store.inbox.record(incoming.key, incoming.surface, { ...incoming, text });
    if (!recorded.inserted) {
      const stored = await this.storedReply(incoming.key);
      if (stored) {
        context.logger.info('repeat event: returning the stored reply');
        return { ...stored, duplicate: true, correlationId: context.correlationId };
      }
    }
    const began = await store.inbox.begin(incoming.key);
    if (!began) {
      const stored = await this.storedReply(incoming.key);
      if (stored) return { ...stored, duplicate: true, correlationId: context.correlationId };
      throw new OlympusError('STORE_CONFLICT', `event ${incoming.key} is being processed`, {
        retryable: true,
        userMessage: "I'm still working on that message; give me a moment.",
      });
    }
    try {
      const result = await this.process(incoming, text, context);
      const full: ClientMessageResult = { ...result, duplicate: false, correlationId: context.correlationId };
      const effectId = `reply:${incoming.key}`;
      await store.outbox.enqueue(effectId, REPLY_KIND, {
        surface: incoming.surface,
        threadKey: incoming.threadKey,
        result,
      });
      // The caller delivers the reply it gets back; the entry keeps it for repeats of this event.
      await store.outbox.complete(effectId, { deliveredBy: 'caller' });
      await store.inbox.complete(incoming.key);
      context.logger.info('client message handled', { intent: result.intent, state: result.state });
      return full;
    } catch (error) {
      context.logger.error('client message failed', { error: errorMessage(error) });
      await store.inbox.fail(incoming.key, errorMessage(error)).catch(() => null);
      throw error;
    }
  }

  private async storedReply(
    key: string,
  ): Promise<Omit<ClientMessageResult, 'duplicate' | 'correlationId'> | null> {
    const entry = await this.deps.store.outbox.get(`reply:${key}`);
    const payload = entry?.payload as
      { result?: Omit<ClientMessageResult, 'duplicate' | 'correlationId'> } | undefined;
    return payload?.result ?? null;
  }

  private async process(
    incoming: IncomingClientMessage,
    text: string,
    context: EventContext,
  ): Promise<Omit<ClientMessageResult, 'duplicate' | 'correlationId'>> {
    const { store, brain } = this.deps;
    const identity = await store.identities.ensureByHandle(incoming.handle, {
      displayName: incoming.displayName,
      role: 'client',
    });
    const ensured = await store.conversations.ensure(incoming.surface, incoming.threadKey, identity.id);
    let conversation: Conversation | null = await store.conversations.appendMessage(ensured.id, {
      at: this.now(),
      from: 'client',
      text,
    });
    for (let attempt = 1; conversation && attempt <= MAX_CAS_ATTEMPTS; attempt++) {
      const projects = await this.projectsOf(identity.id);
      const turnContext: TurnContext = { store, identity, logger: context.logger };
      const turn = await brain.turn({
        conversation,
        draft: readDraft(conversation.draft),
        text,
        projects,
        now: this.now(),
      });
      const applied = await applyTurn(turnContext, conversation, turn);
      if (!applied) {
        context.logger.debug('conversation changed meanwhile; retrying the turn', { attempt });
        conversation = await store.conversations.get(ensured.id);
        continue;
      }
      const final =
        (await store.conversations.appendMessage(applied.conversation.id, {
          at: this.now(),
          from: 'hermes',
          text: applied.reply,
        })) ?? applied.conversation;
      return {
        reply: applied.reply,
        conversationId: final.id,
        state: final.state,
        draft: final.draft,
        projectId: final.projectId ?? applied.projectId,
        intent: turn.intent,
      };
    }
    throw new OlympusError('STORE_CONFLICT', `conversation ${ensured.id} kept changing`, {
      retryable: true,
      userMessage: 'Several messages arrived at once; please send that again.',
    });
  }

  private async projectsOf(identityId: string): Promise<ProjectSummary[]> {
    const projects = await this.deps.store.projects.list({ ownerId: identityId });
    return projects
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .map(({ id, key, title, status }) => ({ id, key, title, status }));
  }
}
