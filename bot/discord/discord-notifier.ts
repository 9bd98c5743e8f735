/**
 * The Discord surface as a SurfaceNotifier: a client notice is posted into its thread's channel (the
 * project's Discord thread, or the client's DM) with its files as attachments, and a direct message goes to the person's DM, each once
 * per effect id (outbox entry plus an enforced nonce).
 */
import { OlympusError } from '../../common/errors.js';
import type { ChatOutbox } from '../../handlers/outbox/chat-outbox.js';
import type { ChatTransport } from '../../ports/chat-transport.js';
import type { SurfaceNotifier } from '../../ports/surface-notifier.js';

/** `transport()` is null while the surface is not started (the delivery is retried later). */
export function discordNotifier(outbox: ChatOutbox, transport: () => ChatTransport | null): SurfaceNotifier {
  const live = (): ChatTransport => {
    const started = transport();
    if (started === null) {
      throw new OlympusError('SURFACE_UNAVAILABLE', 'the discord surface is not started', {
        retryable: true,
      });
    }
    return started;
  };
  return {
    surface: 'discord',
    async deliver(notice, files) {
      await outbox.send(
        live(),
        { effectId: `discord.notice:${notice.effectId}`, kind: 'discord.notice' },
        { op: 'post', to: { channel: notice.thread.threadKey } },
        // The files go as the message's attachments (discord-transport.ts).
        () => ({ text: notice.text, ...(files?.length ? { files } : {}) }),
      );
    },
    async deliverTo(handle, message) {
      const started = live();
      if (handle.surface !== 'discord') return;
      await outbox.send(
        started,
        { effectId: `discord.direct:${message.effectId}`, kind: 'discord.direct' },
        { op: 'dm', userId: handle.externalId },
        () => ({ text: message.text }),
      );
    },
  };
}
