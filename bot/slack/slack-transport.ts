/**
 * Slack's chat transport (ports/chat-transport.ts). Every post carries its effect id in message metadata
 * (`olympus_effect`), so `find` can look for it in the channel's history or the thread's replies after an
 * attempt whose outcome is unknown. Unfurling is off on every post and update. A delivery lane is the
 * channel's queue (channel-queue.ts): work for one channel runs in order, each Web API call paced to about
 * one message a second and waiting out Slack's `Retry-After` on 429. A DM is the app's DM channel with the
 * person (`conversations.open`, which returns the existing one), and shares that channel's lane.
 *
 * Files (`message.files`) go into the message's thread once the message is posted (into the thread it
 * is in, or a thread under it at top level), each through Slack's external upload: `files.getUploadURLExternal`
 * (name, length), the bytes POSTed to the `upload_url` it gave, then `files.completeUploadExternal`
 * (the file's id and title, the channel, the thread). Both Web API calls are paced in the channel's lane;
 * the bytes go straight to the upload URL with a longer timeout than a Web API call's. A file whose upload
 * fails on the way (a network error, a 5xx) is tried once more, so a completion whose answer was lost may
 * show the file twice. Files belong to the attempt that posts the message: when that attempt fails after
 * the message was made (an upload failed twice, or the post's own answer was lost), `find` finds the
 * message on the retry and the effect is done without its files (the text says where else to get them).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SlackBlockDto } from 'slack-block-builder';
import { z } from 'zod';
import { errorMessage, OlympusError } from '../../common/errors.js';
import {
  type ChatDestination,
  type ChatEffect,
  type ChatMessageRef,
  type ChatTransport,
  type OutgoingFile,
  type OutgoingMessage,
  fileBytes,
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

const uploadTicket = z.object({ upload_url: z.string().min(1), file_id: z.string().min(1) }).loose();

/** How long the bytes of one file may take to reach Slack's upload URL. */
export const UPLOAD_TIMEOUT_MS = 120_000;
/** Attempts at one file's upload within a post (the second after a network error or a 5xx). */
const UPLOAD_ATTEMPTS = 2;

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
    const ref = { channel: answer.channel ?? to.channel, messageId: answer.ts };
    for (const file of message.files ?? []) {
      await this.uploadOnce(ref.channel, to.thread ?? ref.messageId, file, effect);
    }
    return ref;
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

  /** A file into the thread, tried again once when it failed on the way (see the note at the top). */
  private async uploadOnce(channel: string, threadTs: string, file: OutgoingFile, effect: ChatEffect) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.upload(channel, threadTs, file);
        return;
      } catch (error) {
        if (attempt < UPLOAD_ATTEMPTS && transient(error)) continue;
        throw new OlympusError(
          'SURFACE_UNAVAILABLE',
          `Slack took the message of effect ${effect.effectId} but not its file ${file.name}: ${errorMessage(error)}`,
          { retryable: true, cause: error },
        );
      }
    }
  }

  /** Slack's external upload of one file, shared into the channel's thread. */
  private async upload(channel: string, threadTs: string, file: OutgoingFile): Promise<void> {
    const { client } = this.outbound;
    const bytes = fileBytes(file);
    const ticket = uploadTicket.parse(
      await this.call(channel, () =>
        client.files.getUploadURLExternal({ filename: file.name, length: bytes.length }),
      ),
    );
    let response: Response;
    try {
      response = await fetch(ticket.upload_url, {
        method: 'POST',
        headers: { 'content-type': file.contentType },
        body: bytes,
        redirect: 'error',
        signal: AbortSignal.timeout(UPLOAD_TIMEOUT_MS),
      });
    } catch (error) {
      throw new UploadFailed(`the upload of ${file.name} did not reach Slack: ${errorMessage(error)}`, true);
    }
    await response.arrayBuffer();
    if (!response.ok) {
      throw new UploadFailed(
        `Slack refused the bytes of ${file.name} (HTTP ${response.status})`,
        response.status >= 500 || response.status === 408 || response.status === 429,
      );
    }
    await this.call(channel, () =>
      client.files.completeUploadExternal({
        files: [{ id: ticket.file_id, title: file.title ?? file.name }],
        channel_id: channel,
        thread_ts: threadTs,
      }),
    );
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

/** A failed POST of a file's bytes; `transient` when trying again may help. */
class UploadFailed extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

/** Web API client errors worth one more try: the request did not get through, or Slack answered 5xx. */
const TRANSIENT_CODES = new Set(['slack_webapi_request_error', 'slack_webapi_http_error']);

function transient(error: unknown): boolean {
  if (error instanceof UploadFailed) return error.transient;
  const candidate = error as { code?: unknown; statusCode?: unknown } | null;
  if (candidate?.code === 'slack_webapi_http_error') {
    const status = Number(candidate.statusCode);
    return !Number.isFinite(status) || status >= 500;
  }
  return typeof candidate?.code === 'string' && TRANSIENT_CODES.has(candidate.code);
}
