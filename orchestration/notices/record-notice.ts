/**
 * Records a client notice durably before anything is sent: one outbox entry (kind `client.notice`) per
 * target thread, keyed by the notice's stable id and the thread, holding the whole notice. A crash after
 * this loses nothing (the `client.notify` job delivers what is pending); recording the same notice again
 * changes nothing (the keys exist). The notice is also kept once in the conversation it belongs to, so
 * the console and Hermes's own memory see it.
 */
import { createHash } from 'node:crypto';
import type { Conversation, Project, Store } from '../../ports/store.js';
import { noticeTarget } from './notice-threads.js';
import type { ClientNotice, ClientNoticeKind, NoticeAttachment } from '../../ports/surface-notifier.js';

export const NOTICE_KIND = 'client.notice';
const KEPT_KIND = 'client.notice.kept';

export interface NoticeRequest {
  /** Stable id of what is said (e.g. `digest:<project>:<period>`): the same id is said once. */
  effectId: string;
  kind: ClientNoticeKind;
  text: string;
  project: Project | null;
  /** The conversation it answers or follows; default: the conversation the project came from. */
  conversation?: Conversation | null;
  /** The text is in the conversation already (a redriven intake reply): only deliver it. */
  inConversation?: boolean;
  /** Files sent with it on every thread (made at delivery time). */
  attachments?: NoticeAttachment[];
}

/** The outbox key of a notice on one thread. */
export function threadEffectId(effectId: string, surface: string, threadKey: string): string {
  const thread = createHash('sha256').update(`${surface}\n${threadKey}`).digest('hex').slice(0, 16);
  return `notice:${effectId}:${surface}:${thread}`;
}

/** A stable id for a text said about a subject (used when the caller has no natural id). */
export function textEffectId(subject: string, text: string): string {
  return `${subject}:${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
}

/** Returns the outbox keys of the notice's deliveries (empty when it has nowhere to go). */
export async function recordNotice(store: Store, request: NoticeRequest): Promise<string[]> {
  const target = await noticeTarget(store, {
    project: request.project,
    ...(request.conversation !== undefined ? { conversation: request.conversation } : {}),
    // A reply answers in the conversation's own thread; notices and digests go to the project's threads.
    conversationFirst: request.kind === 'reply',
  });
  if (target.conversation && request.inConversation !== true)
    await keepInConversation(store, target.conversation.id, request);
  const keys: string[] = [];
  for (const thread of target.threads) {
    const key = threadEffectId(request.effectId, thread.surface, thread.threadKey);
    const notice: ClientNotice = {
      effectId: key,
      kind: request.kind,
      text: request.text,
      thread,
      projectId: request.project?.id ?? target.conversation?.projectId ?? null,
      conversationId: target.conversation?.id ?? null,
      ...(request.attachments?.length ? { attachments: request.attachments } : {}),
    };
    await store.outbox.enqueue(key, NOTICE_KIND, notice);
    keys.push(key);
  }
  return keys;
}

/**
 * Appends the notice to the conversation once: the marker's first attempt appends; a later attempt (a
 * crash between append and completion) looks for the text before appending again.
 */
async function keepInConversation(
  store: Store,
  conversationId: string,
  request: NoticeRequest,
): Promise<void> {
  const key = `kept:${request.effectId}:${conversationId}`;
  await store.outbox.enqueue(key, KEPT_KIND, { conversationId });
  const began = await store.outbox.begin(key);
  if (began === null) return;
  if (began.attempts > 1) {
    const conversation = await store.conversations.get(conversationId);
    const kept = conversation?.messages.some(
      (message) => message.from === 'hermes' && message.text === request.text,
    );
    if (kept) {
      await store.outbox.complete(key, { kept: true });
      return;
    }
  }
  await store.conversations.appendMessage(conversationId, {
    at: new Date(),
    from: 'hermes',
    text: request.text,
  });
  await store.outbox.complete(key, { kept: true });
}
