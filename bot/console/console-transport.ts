/**
 * The web console as a chat transport. The console's "channel" is a conversation in the store (its id),
 * and the page shows whatever the conversation holds: `post` appends Hermes's message to it (through the
 * conversation use case), `dm` appends to the person's console conversation (by its thread key, e.g.
 * `console:tina` or `email:alice@example.com`; a bare name means `console:<name>`). A message's id is
 * its position in the conversation. Appends to one conversation keep their order (a lane per
 * conversation in this process).
 *
 * Not meaningful here, and said so: `update` (a conversation message is never replaced; the console
 * reads a checkpoint card's state from the store each time it shows it) is refused; `find` cannot tell
 * whether an earlier attempt appended (a conversation message carries no effect id), so it answers null
 * and an effect whose attempt died mid-append may appear twice. Threads do not exist in a conversation:
 * `to.thread` is ignored. Nor do files: `message.files` are left out, and the console's readers download
 * what a notice refers to from the project's page (GET /api/console/projects/:id/workspace.tar.gz).
 */
import { OlympusError } from '../../common/errors.js';
import type { ConversationMessages } from '../../handlers/threads/conversation-messages.js';
import type { ChatDestination, ChatMessageRef, ChatTransport } from '../../ports/chat-transport.js';

export function consoleTransport(
  conversations: Pick<ConversationMessages, 'appendHermes' | 'consoleConversation'>,
): ChatTransport {
  const lanes = new Map<string, Promise<unknown>>();

  const append = async (conversationId: string, text: string): Promise<ChatMessageRef> => {
    const appended = await conversations.appendHermes(conversationId, text);
    if (appended === null) {
      throw new OlympusError('NOT_FOUND', `no console conversation ${conversationId}`);
    }
    return { channel: conversationId, messageId: String(appended.index) };
  };

  const laneKey = (to: ChatDestination | { userId: string }): string =>
    'userId' in to ? `person:${threadKeyOf(to.userId)}` : to.channel;

  return {
    surface: 'console',
    post: (_effect, to, message) => append(to.channel, message.text),
    update(effect) {
      return Promise.reject(
        new OlympusError('VALIDATION', `console messages are not replaced (effect ${effect.effectId})`),
      );
    },
    async dm(_effect, userId, message) {
      const conversation = await conversations.consoleConversation(threadKeyOf(userId));
      if (conversation === null) {
        throw new OlympusError('NOT_FOUND', `${userId} has no console conversation`, {
          userMessage: 'That person has not used the console yet.',
        });
      }
      return append(conversation.id, message.text);
    },
    find: () => Promise.resolve(null),
    inLane<T>(to: ChatDestination | { userId: string }, work: () => Promise<T>): Promise<T> {
      const key = laneKey(to);
      const run = (lanes.get(key) ?? Promise.resolve()).catch(() => undefined).then(work);
      lanes.set(key, run);
      void run
        .finally(() => {
          if (lanes.get(key) === run) lanes.delete(key);
        })
        .catch(() => undefined);
      return run;
    },
  };
}

function threadKeyOf(userId: string): string {
  return userId.includes(':') ? userId : `console:${userId.toLowerCase()}`;
}
