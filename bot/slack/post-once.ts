/**
 * One Slack post as an outbox effect, done once. Every post carries its effect id in message metadata;
 * when an earlier attempt's outcome is unknown (the outbox says attempts > 1), the channel or thread is
 * searched for that id before anything is sent again. Posts run in their channel's queue (paced, 429s
 * waited out, order kept): the place in the queue is taken when `postOnce` is called.
 */
import type { SlackBlockDto } from 'slack-block-builder';
import { z } from 'zod';
import { OlympusError, errorMessage } from '../../common/errors.js';
import type { Store } from '../../ports/store.js';
import type { Paced } from './channel-queue.js';
import type { SlackWebClient } from './slack-client.js';
import type { SlackOutbound } from './slack-outbound.js';

export const EFFECT_EVENT_TYPE = 'olympus_effect';

/** On every chat.postMessage and chat.update: no link or media previews of what Olympus posts. */
export const NO_UNFURL = { unfurl_links: false, unfurl_media: false } as const;

export interface OncePost {
  effectId: string;
  /** Outbox kind, e.g. `slack.card`, `slack.reply`. */
  kind: string;
  channel: string;
  threadTs?: string;
  /** Messages older than this (minus a minute) are not searched. */
  since: Date;
  /** Builds the message when it must really be sent. */
  render(): Promise<{ text: string; blocks?: SlackBlockDto[] }>;
}

export interface PostedRef {
  channel: string;
  ts: string;
}

const posted = z.object({ ts: z.string().min(1), channel: z.string().optional() }).loose();
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

/** Posts unless done already; returns where the message is (null if a done effect left no result). */
export function postOnce(store: Store, outbound: SlackOutbound, post: OncePost): Promise<PostedRef | null> {
  return outbound.queue.run(post.channel, (paced) => postNow(store, outbound.client, paced, post));
}

async function postNow(
  store: Store,
  client: SlackWebClient,
  paced: Paced,
  post: OncePost,
): Promise<PostedRef | null> {
  const { effectId, channel } = post;
  await store.outbox.enqueue(effectId, post.kind, { channel, threadTs: post.threadTs ?? null });
  const entry = await store.outbox.begin(effectId);
  if (entry === null) {
    const done = posted.safeParse((await store.outbox.get(effectId))?.result);
    return done.success ? { channel: done.data.channel ?? channel, ts: done.data.ts } : null;
  }
  try {
    let ts = entry.attempts > 1 ? await paced(() => findPosted(client, post)) : null;
    if (ts === null) {
      const message = await post.render();
      const answer = posted.parse(
        await paced(() =>
          client.chat.postMessage({
            channel,
            text: message.text,
            ...(message.blocks ? { blocks: message.blocks } : {}),
            ...(post.threadTs ? { thread_ts: post.threadTs } : {}),
            ...NO_UNFURL,
            metadata: { event_type: EFFECT_EVENT_TYPE, event_payload: { effect_id: effectId } },
          }),
        ),
      );
      ts = answer.ts;
    }
    await store.outbox.complete(effectId, { channel, ts });
    return { channel, ts };
  } catch (error) {
    await store.outbox.fail(effectId, errorMessage(error));
    throw new OlympusError('SURFACE_UNAVAILABLE', `slack post ${effectId} failed: ${errorMessage(error)}`, {
      retryable: true,
      cause: error,
    });
  }
}

async function findPosted(client: SlackWebClient, post: OncePost): Promise<string | null> {
  const oldest = String(Math.floor(post.since.getTime() / 1000) - 60);
  const answer = listed.parse(
    post.threadTs
      ? await client.conversations.replies({
          channel: post.channel,
          ts: post.threadTs,
          oldest,
          include_all_metadata: true,
          limit: 200,
        })
      : await client.conversations.history({
          channel: post.channel,
          oldest,
          include_all_metadata: true,
          limit: 200,
        }),
  );
  const found = answer.messages?.find(
    (message) => message.metadata?.event_payload?.effect_id === post.effectId,
  );
  return found?.ts ?? null;
}
