/**
 * The outbox, done once for every surface: a post, an update or a DM through a chat transport is an
 * outbox row keyed by its effect id. A done effect returns what it made without calling the surface; an
 * effect whose earlier attempt's outcome is unknown (`attempts > 1`) asks the surface to `find` the
 * message first and sends only when it is not there. The whole step runs in the destination's lane, so
 * order and pacing hold from the moment the send is asked for.
 */
import { OlympusError, errorMessage } from '../../common/errors.js';
import type {
  ChatDestination,
  ChatEffect,
  ChatMessageRef,
  ChatTransport,
  OutgoingMessage,
} from '../../ports/chat-transport.js';
import type { OutboxRepository } from '../../ports/store.js';
import { storedMessageRef } from './stored-message-ref.js';

export type ChatSend =
  { op: 'post'; to: ChatDestination } | { op: 'update'; ref: ChatMessageRef } | { op: 'dm'; userId: string };

export interface OnceEffect {
  effectId: string;
  /** Outbox kind, e.g. `slack.reply`. */
  kind: string;
  /** When the effect was first asked for (lookups search from here, less a minute). */
  since?: Date;
  /** Recorded with the outbox row (never secrets): where it goes, what it answers. */
  payload?: Record<string, unknown>;
}

/**
 * Sends unless done already. Returns where the message is; null when the effect was done before and
 * left no message reference (an effect completed by another path).
 */
export function sendOnce(
  outbox: OutboxRepository,
  transport: ChatTransport,
  effect: OnceEffect,
  send: ChatSend,
  render: () => Promise<OutgoingMessage> | OutgoingMessage,
): Promise<ChatMessageRef | null> {
  const lane = send.op === 'post' ? send.to : send.op === 'dm' ? { userId: send.userId } : send.ref;
  return transport.inLane(lane, () => sendNow(outbox, transport, effect, send, render));
}

async function sendNow(
  outbox: OutboxRepository,
  transport: ChatTransport,
  effect: OnceEffect,
  send: ChatSend,
  render: () => Promise<OutgoingMessage> | OutgoingMessage,
): Promise<ChatMessageRef | null> {
  const { effectId, kind } = effect;
  const recorded = await outbox.enqueue(effectId, kind, { ...effect.payload, ...where(send) });
  const entry = await outbox.begin(effectId);
  if (entry === null) {
    return storedMessageRef(await outbox.get(effectId));
  }
  const chatEffect: ChatEffect = { effectId, kind, since: effect.since ?? recorded.entry.createdAt };
  try {
    let ref: ChatMessageRef | null = null;
    if (entry.attempts > 1 && send.op !== 'update') {
      ref = await transport.find(chatEffect, send.op === 'post' ? send.to : { userId: send.userId });
    }
    if (ref === null) {
      const message = await render();
      if (send.op === 'post') ref = await transport.post(chatEffect, send.to, message);
      else if (send.op === 'update') ref = await transport.update(chatEffect, send.ref, message);
      else ref = await transport.dm(chatEffect, send.userId, message);
    }
    await outbox.complete(effectId, { channel: ref.channel, messageId: ref.messageId });
    return ref;
  } catch (error) {
    await outbox.fail(effectId, errorMessage(error));
    throw new OlympusError(
      'SURFACE_UNAVAILABLE',
      `${transport.surface} ${send.op} ${effectId} failed: ${errorMessage(error)}`,
      { retryable: true, cause: error },
    );
  }
}

function where(send: ChatSend): Record<string, unknown> {
  if (send.op === 'post') return { channel: send.to.channel, thread: send.to.thread ?? null };
  if (send.op === 'update') return { channel: send.ref.channel, messageId: send.ref.messageId };
  return { userId: send.userId };
}
