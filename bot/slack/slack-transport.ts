/**
 * Slack's chat transport (ports/chat-transport.ts). Every post carries its effect id in message metadata
 * (`olympus_effect`), so `find` can look for it in the channel's history or the thread's replies after an
 * attempt whose outcome is unknown. Unfurling is off on every post and update. A delivery lane is the
 * channel's queue (channel-queue.ts): work for one channel runs in order, each Web API call paced to about
 * one message a second and waiting out Slack's `Retry-After` on 429. A DM is the app's DM channel with the
 * person (`conversations.open`, which returns the existing one), and shares that channel's lane.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SlackBlockDto } from 'slack-block-builder';
import { z } from 'zod';
import { OlympusError } from '../../common/errors.js';
import type {
  ChatDestination,
  ChatEffect,
  ChatMessageRef,
  ChatTransport,
  OutgoingMessage,
} from '../../ports/chat-transport.js';
import type { ChannelQueue, Paced } from './channel-queue.js';
import type { SlackWebClient } from './slack-client.js';

export const EFFECT_EVENT_TYPE = 'olympus_effect';

/** On every chat.postMessage and chat.update: no link or media previews of what Olympus posts. */
export const NO_UNFURL = { unfurl_links: false, unfurl_media: false } as const;

type Where = ChatDestination | { userId: string };

/** The lane the current work runs in, so calls inside it are paced there instead of queued behind it. */
const currentLane = new AsyncLocalStorage<{ queue: ChannelQueue; channel: string; paced: Paced }>();

const posted = z.object({ ts: z.string().min(1), channel: z.string().optional() }).loose();
const opened = z
  .object({
    channel: z
      .object({ id: z.string().min(1) })
      .loose()
      .optional(),
  })
  .loose();
const listed = z.object({
  messages: z
    .array(
      z
        .object({
          ts: z.string().optional(),
          metadata: z
            .object({ event_payload: z.record(z.string(), z.unknown()).optional() })
            .loose()
            .optional(),
        })
        .loose(),
    )
    .optional(),
});

/** Block Kit blocks carried in `extras.blocks` (the surface's renderers put them there). */
export function slackBlocks(message: OutgoingMessage): { blocks?: SlackBlockDto[] } {
  const blocks = message.extras?.blocks;
  return Array.isArray(blocks) ? { blocks: blocks as SlackBlockDto[] } : {};
}

export class SlackTransport implements ChatTransport {
  readonly surface = 'slack' as const;
  private readonly dmChannels = new Map<string, string>();

  constructor(private readonly outbound: { client: SlackWebClient; queue: ChannelQueue }) {}

  async post(effect: ChatEffect, to: ChatDestination, message: OutgoingMessage): Promise<ChatMessageRef> {
    const { client } = this.outbound;
    const answer = posted.parse(
      await this.call(to.channel, () =>
        client.chat.postMessage({
          channel: to.channel,
          text: message.text,
          ...slackBlocks(message),
          ...(to.thread ? { thread_ts: to.thread } : {}),
          ...NO_UNFURL,
          metadata: { event_type: EFFECT_EVENT_TYPE, event_payload: { effect_id: effect.effectId } },
        }),
      ),
    );
    return { channel: answer.channel ?? to.channel, messageId: answer.ts };
  }

  async update(_effect: ChatEffect, ref: ChatMessageRef, message: OutgoingMessage): Promise<ChatMessageRef> {
    const { client } = this.outbound;
    await this.call(ref.channel, () =>
      client.chat.update({
        channel: ref.channel,
        ts: ref.messageId,
        text: message.text,
        ...slackBlocks(message),
        ...NO_UNFURL,
      }),
    );
    return { channel: ref.channel, messageId: ref.messageId };
  }

  async dm(effect: ChatEffect, userId: string, message: OutgoingMessage): Promise<ChatMessageRef> {
    return this.post(effect, { channel: await this.dmChannel(userId) }, message);
  }

  async find(effect: ChatEffect, to: Where): Promise<ChatMessageRef | null> {
    const { client } = this.outbound;
    const channel = await this.channelOf(to);
    const thread = 'userId' in to ? null : (to.thread ?? null);
    const oldest = String(Math.floor(effect.since.getTime() / 1000) - 60);
    const answer = listed.parse(
      await this.call(channel, () =>
        thread
          ? client.conversations.replies({
              channel,
              ts: thread,
              oldest,
              include_all_metadata: true,
              limit: 200,
            })
          : client.conversations.history({ channel, oldest, include_all_metadata: true, limit: 200 }),
      ),
    );
    const found = answer.messages?.find(
      (candidate) => candidate.metadata?.event_payload?.effect_id === effect.effectId,
    );
    return found?.ts ? { channel, messageId: found.ts } : null;
  }

  async inLane<T>(to: Where, work: () => Promise<T>): Promise<T> {
    const channel = await this.channelOf(to);
    const { queue } = this.outbound;
    if (this.inside(channel) !== null) return work();
    return queue.run(channel, (paced) => currentLane.run({ queue, channel, paced }, work));
  }

  /** One Web API call to the channel: paced in its lane (queued there when not already inside it). */
  private call<T>(channel: string, call: () => Promise<T>): Promise<T> {
    const paced = this.inside(channel);
    if (paced !== null) return paced(call);
    return this.outbound.queue.run(channel, (inLane) => inLane(call));
  }

  /** The pacing of the channel's lane when the current work runs in it, else null. */
  private inside(channel: string): Paced | null {
    const current = currentLane.getStore();
    return current?.queue === this.outbound.queue && current.channel === channel ? current.paced : null;
  }

  private async channelOf(to: Where): Promise<string> {
    return 'userId' in to ? this.dmChannel(to.userId) : to.channel;
  }

  /** The app's DM channel with the person (Slack returns the existing one when there is one). */
  private async dmChannel(userId: string): Promise<string> {
    const known = this.dmChannels.get(userId);
    if (known) return known;
    const answer = opened.parse(await this.outbound.client.conversations.open({ users: userId }));
    const channel = answer.channel?.id;
    if (!channel) {
      throw new OlympusError('SURFACE_UNAVAILABLE', `Slack opened no DM with ${userId}`, { retryable: true });
    }
    this.dmChannels.set(userId, channel);
    return channel;
  }
}
