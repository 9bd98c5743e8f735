/**
 * The one entry point for a client's message on any surface: `dispatch(incoming)`. It records the event in
 * the inbox by its natural key (a repeat gets the stored reply, nothing is processed twice), ensures the
 * identity and the conversation, keeps the client's message in it, runs the intake brain, stores the turn
 * with a compare-and-set on the conversation's version (retried on conflict), and returns Hermes's reply.
 *
 * When the brain cannot answer (no language model reachable, no valid answer after the repair, local-only
 * work with no local model), nothing is lost: the message stays in the conversation, Hermes says it will
 * get back, the inbox entry is marked failed with the reason, and `redrive()` (the `intake.redrive` job)
 * answers it later by appending Hermes's reply to the conversation.
 */
import { KeyedSerial } from '../../common/keyed-serial.js';
import { inSpan } from '../../common/tracing.js';
import { errorMessage, OlympusError } from '../../common/errors.js';
import { newId } from '../../common/ids.js';
import type { Logger } from '../../common/logging/logger.js';
import type { IntakeBrain } from '../../agents/hermes/intake-brain.js';
import type { Store } from '../../ports/store.js';
import {
  clientMessageOf,
  DEFAULT_REDRIVE_POLICY,
  dueForRedrive,
  storedMessage,
  type RedrivePolicy,
} from './intake-inbox.js';
import {
  runIntakeTurn,
  type ClientMessageResult,
  type EventContext,
  type IncomingClientMessage,
} from './run-intake-turn.js';
import { cleanClientText } from './untrusted-text.js';
import { recordRedrivenReply } from '../notify/redriven-reply.js';
import type { ClientRateLimiter } from './client-rate-limit.js';
import { recordRateLimited } from './rate-limited-message.js';
import { recordUnanswered } from './unanswered-message.js';
import { systemClock, type Clock } from '../../ports/clock.js';

export type { ClientMessageResult, EventContext, IncomingClientMessage } from './run-intake-turn.js';

export interface ClientMessageDependencies {
  store: Store;
  brain: IntakeBrain;
  logger: Logger;
  /** Where "now" comes from (tests drive it). */
  clock?: Clock;
  /** Told the id of every project a confirmed brief creates (the orchestrator starts planning it). */
  onHandOff?: (projectId: string) => Promise<void>;
  /** When unfinished entries are taken up again (tests shorten the delays). */
  redrive?: Partial<RedrivePolicy>;
  /** Per-client inbound limit: messages over it are recorded but never reach the brain. */
  rateLimiter?: ClientRateLimiter;
}

export type StoredResult = Omit<ClientMessageResult, 'duplicate' | 'correlationId'>;

const REPLY_KIND = 'hermes.reply';

export class ClientMessageHandler {
  private readonly now: () => Date;
  private readonly policy: RedrivePolicy;
  private readonly conversations = new KeyedSerial();

  constructor(private readonly deps: ClientMessageDependencies) {
    this.now = () => (deps.clock ?? systemClock).now();
    this.policy = { ...DEFAULT_REDRIVE_POLICY, ...deps.redrive };
  }

  dispatch(incoming: IncomingClientMessage): Promise<ClientMessageResult> {
    // One conversation's messages are taken one at a time, in the order they came (a DM is one
    // conversation whatever the threading): a burst in one DM does not race itself on the conversation.
    return this.conversations.run(conversationLane(incoming), () =>
      inSpan(
        'intake.message',
        { 'olympus.surface': incoming.surface, 'olympus.event_key': incoming.key },
        () => this.dispatchTraced(incoming),
      ),
    );
  }

  private async dispatchTraced(incoming: IncomingClientMessage): Promise<ClientMessageResult> {
    const context = this.eventContext(incoming);
    const { store } = this.deps;
    const text = cleanClientText(incoming.text);
    if (text.length === 0) {
      throw new OlympusError('VALIDATION', 'empty message', { userMessage: 'The message is empty.' });
    }
    const repeat = incoming.claimed ? await this.attach(incoming, text) : await this.record(incoming, text);
    if (repeat) {
      context.logger.info('repeat event: returning the stored reply');
      return { ...repeat, duplicate: true, correlationId: context.correlationId };
    }
    const limiter = this.deps.rateLimiter;
    // A message kept without a reply costs the client nothing of the limit.
    const decision =
      limiter && incoming.noReply === undefined ? await limiter.take(incoming.handle) : 'allowed';
    if (limiter && decision !== 'allowed') {
      context.logger.info('client over the rate limit: message recorded, not answered', { decision });
      const stored = await recordRateLimited(
        store,
        { ...incoming, text },
        decision,
        limiter.perMinute,
        this.now,
      ).catch(async (error: unknown) => {
        await store.inbox.fail(incoming.key, errorMessage(error)).catch(() => null);
        throw error;
      });
      return { ...stored, duplicate: false, correlationId: context.correlationId };
    }
    return this.run({ ...incoming, text }, context, true);
  }

  /**
   * Stores the message in the inbox under its key and claims the entry. Returns the stored reply when the
   * event was answered before (a repeat), else null once the entry is claimed.
   */
  private async record(incoming: IncomingClientMessage, text: string): Promise<StoredResult | null> {
    const { store } = this.deps;
    const recorded = await store.inbox.record(incoming.key, incoming.surface, storedMessage(incoming, text));
    if (!recorded.inserted) {
      const stored = await this.storedReply(incoming.key);
      if (stored) {
        // The reply is stored only once the turn is done: an entry not marked done lost that last write.
        if (recorded.entry.status !== 'done' && !stored.deferred) await store.inbox.complete(incoming.key);
        return stored;
      }
    }
    const began = await store.inbox.begin(incoming.key, { reclaimAfterMs: this.policy.reclaimAfterMs });
    if (!began) {
      const stored = await this.storedReply(incoming.key);
      if (stored) return stored;
      throw new OlympusError('STORE_CONFLICT', `event ${incoming.key} is being processed`, {
        retryable: true,
        userMessage: "I'm still working on that message; give me a moment.",
      });
    }
    return null;
  }

  /**
   * The surface stored the event and holds its claim: the message is attached to that entry, where a
   * redrive finds it. Returns the stored reply when the event was answered before, else null.
   */
  private async attach(incoming: IncomingClientMessage, text: string): Promise<StoredResult | null> {
    const entry = await this.deps.store.inbox.attach(incoming.key, storedMessage(incoming, text));
    if (entry === null) {
      throw new OlympusError(
        'INTERNAL',
        `event ${incoming.key} was said to be stored but is not in the inbox`,
      );
    }
    return this.storedReply(incoming.key);
  }

  /**
   * Takes up the intake's unfinished inbox entries that are due (deferred turns after their backoff, and
   * attempts a crash left behind) and answers them, appending Hermes's reply to the conversation.
   * Returns how many were answered.
   */
  async redrive(limit = 500): Promise<number> {
    const { store, logger } = this.deps;
    let answered = 0;
    for (const entry of await store.inbox.listUnfinished(limit)) {
      const message = clientMessageOf(entry);
      if (message === null || !dueForRedrive(entry, this.policy, this.now())) continue;
      const began = await store.inbox.begin(entry.key, { reclaimAfterMs: this.policy.reclaimAfterMs });
      if (!began) continue;
      const { kind: _kind, ...incoming } = message;
      const context = this.eventContext(incoming);
      context.logger.info('redriving a client message', { attempts: began.attempts, was: entry.status });
      try {
        const result = await this.conversations.run(conversationLane(incoming), () =>
          this.run(incoming, context, false),
        );
        if (!result.deferred) answered += 1;
      } catch (error) {
        logger.warn('redrive of a client message failed', { key: entry.key, error: errorMessage(error) });
      }
    }
    return answered;
  }

  private eventContext(incoming: IncomingClientMessage): EventContext {
    const correlationId = newId();
    return {
      correlationId,
      logger: this.deps.logger.child({ correlationId, eventKey: incoming.key, surface: incoming.surface }),
    };
  }

  /** Processes a claimed inbox entry and records its outcome on it. */
  private async run(
    incoming: IncomingClientMessage,
    context: EventContext,
    live: boolean,
  ): Promise<ClientMessageResult> {
    const { store } = this.deps;
    try {
      if (incoming.noReply !== undefined) {
        const kept = await recordUnanswered(store, { ...incoming, noReply: incoming.noReply }, this.now);
        context.logger.info('client message kept without a reply', { reason: incoming.noReply });
        return { ...kept, duplicate: false, correlationId: context.correlationId };
      }
      const outcome = await runIntakeTurn(
        {
          store,
          brain: this.deps.brain,
          now: this.now,
          ...(this.deps.onHandOff ? { onHandOff: this.deps.onHandOff } : {}),
        },
        incoming,
        context,
        live,
      );
      const full: ClientMessageResult = {
        ...outcome.result,
        duplicate: false,
        correlationId: context.correlationId,
      };
      if (outcome.deferredReason !== null) {
        await store.inbox.fail(incoming.key, outcome.deferredReason);
        context.logger.warn('client message deferred: the brain could not answer', {
          reason: outcome.deferredReason,
        });
        return full;
      }
      const effectId = `reply:${incoming.key}`;
      await store.outbox.enqueue(effectId, REPLY_KIND, {
        surface: incoming.surface,
        threadKey: incoming.threadKey,
        result: outcome.result,
      });
      // A live reply goes back to the caller; a redriven one is in the conversation (the console shows
      // it there). Either way the entry keeps it for repeats of this event.
      if (!live) await recordRedrivenReply(store, incoming.key, outcome.result);
      await store.outbox.complete(effectId, { deliveredBy: live ? 'caller' : 'conversation' });
      // A surface holding the entry's claim marks it done itself, once it has sent the reply.
      if (!(live && incoming.claimed)) await store.inbox.complete(incoming.key);
      context.logger.info('client message handled', {
        intent: outcome.result.intent,
        state: outcome.result.state,
        redrive: !live,
      });
      return full;
    } catch (error) {
      context.logger.error('client message failed', { error: errorMessage(error) });
      await store.inbox.fail(incoming.key, errorMessage(error)).catch(() => null);
      throw error;
    }
  }

  private async storedReply(key: string): Promise<StoredResult | null> {
    const entry = await this.deps.store.outbox.get(`reply:${key}`);
    const payload = entry?.payload as { result?: StoredResult } | undefined;
    if (!payload?.result) return null;
    return { ...payload.result, deferred: payload.result.deferred ?? false };
  }
}

/** The lane of a message's conversation: its surface and thread (a DM's channel, an email thread…). */
function conversationLane(incoming: Pick<IncomingClientMessage, 'surface' | 'threadKey'>): string {
  return `${incoming.surface}:${incoming.threadKey}`;
}
