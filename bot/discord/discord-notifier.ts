/**
 * The Discord surface as a SurfaceNotifier: a client notice is posted into its thread's channel (the
 * project's Discord thread, or the client's DM), once per effect id (outbox entry plus an enforced nonce).
 */
import { Routes, type REST } from 'discord.js';
import { z } from 'zod';
import { OlympusError } from '../../common/errors.js';
import type { SurfaceNotifier } from '../../ports/surface-notifier.js';
import type { Store } from '../../ports/store.js';
import { sendOnce } from './send-once.js';

export interface NotifierConnection {
  rest: REST;
  botUserId: string;
}

/** `connection()` is null while the surface is not started (the delivery is retried later). */
export function discordNotifier(store: Store, connection: () => NotifierConnection | null): SurfaceNotifier {
  return {
    surface: 'discord',
    async deliver(notice) {
      const live = connection();
      if (live === null) {
        throw new OlympusError('SURFACE_UNAVAILABLE', 'the discord surface is not started', {
          retryable: true,
        });
      }
      await sendOnce(store, live.rest, {
        effectId: `discord.notice:${notice.effectId}`,
        kind: 'discord.notice',
        channelId: notice.thread.threadKey,
        botUserId: live.botUserId,
        text: notice.text,
      });
    },
    async deliverTo(handle, message) {
      const live = connection();
      if (live === null) {
        throw new OlympusError('SURFACE_UNAVAILABLE', 'the discord surface is not started', {
          retryable: true,
        });
      }
      if (handle.surface !== 'discord') return;
      // The DM channel with the user (Discord returns the existing one when there is one).
      const channel = dmChannel.parse(
        await live.rest.post(Routes.userChannels(), { body: { recipient_id: handle.externalId } }),
      );
      await sendOnce(store, live.rest, {
        effectId: `discord.direct:${message.effectId}`,
        kind: 'discord.direct',
        channelId: channel.id,
        botUserId: live.botUserId,
        text: message.text,
      });
    },
  };
}

const dmChannel = z.object({ id: z.string().regex(/^\d+$/) }).loose();
