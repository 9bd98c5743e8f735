/**
 * The email surface as a SurfaceNotifier: a client notice for an email thread is mailed into the email
 * conversation of that thread (In-Reply-To/References its root, the project's plus-address as Reply-To),
 * once per effect id (the mail's Message-ID is fixed by it), with the notice's files attached.
 */
import type { ThreadDirectory } from '../../handlers/threads/thread-directory.js';
import type { Conversation } from '../../ports/domain.js';
import type { ClientNotice, DirectNotice, SurfaceNotifier } from '../../ports/surface-notifier.js';
import type { ThreadNotice } from './thread-notice.js';

export function emailNotifier(
  threads: ThreadDirectory,
  notify: (notice: ThreadNotice) => Promise<string | null>,
  mailTo: (address: string, message: DirectNotice) => Promise<string>,
): SurfaceNotifier {
  return {
    surface: 'email',
    async deliverTo(handle, message) {
      if (handle.surface !== 'email') return;
      await mailTo(handle.externalId, message);
    },
    async deliver(notice, files) {
      const conversation = await threadConversation(threads, notice);
      if (!conversation) return;
      await notify({
        effectId: notice.effectId,
        conversationId: conversation.id,
        text: notice.text,
        ...(files?.length ? { files } : {}),
      });
    },
  };
}

async function threadConversation(
  threads: ThreadDirectory,
  notice: ClientNotice,
): Promise<Conversation | null> {
  if (notice.conversationId) {
    const named = await threads.conversation(notice.conversationId);
    if (named?.surface === 'email' && named.threadKey === notice.thread.threadKey) return named;
  }
  return threads.conversationByThread('email', notice.thread.threadKey);
}
