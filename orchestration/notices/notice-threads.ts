/**
 * Where a client notice goes: every thread the project has on a surface (Slack, Discord, email), else the
 * thread of the conversation the project came from (or the conversation named), on its own surface.
 */
import type { Conversation, Project, Store, ThreadRef } from '../../ports/store.js';

/**
 * The thread of a conversation as a ThreadRef. Slack keys are the DM channel (top level of the DM) or,
 * for conversations stored before a DM was one conversation, `<channel>:<thread ts>`.
 */
export function conversationThread(conversation: Conversation): ThreadRef {
  if (conversation.surface === 'slack') {
    const [channel = conversation.threadKey] = conversation.threadKey.split(':');
    const threaded = conversation.threadKey.includes(':');
    return { surface: 'slack', channel, threadKey: threaded ? conversation.threadKey : '' };
  }
  return {
    surface: conversation.surface,
    channel: conversation.threadKey,
    threadKey: conversation.threadKey,
  };
}

/** The conversation a project came from (its owner's conversation linked to it), if any. */
export async function projectConversation(store: Store, project: Project): Promise<Conversation | null> {
  const conversations = await store.conversations.listByIdentity(project.ownerId);
  return conversations.find((candidate) => candidate.projectId === project.id) ?? null;
}

export interface NoticeTarget {
  threads: ThreadRef[];
  conversation: Conversation | null;
}

export async function noticeTarget(
  store: Store,
  target: { project: Project | null; conversation?: Conversation | null; conversationFirst?: boolean },
): Promise<NoticeTarget> {
  const conversation =
    target.conversation ?? (target.project ? await projectConversation(store, target.project) : null);
  if (target.conversationFirst && conversation)
    return { threads: [conversationThread(conversation)], conversation };
  const threads = target.project?.threads ?? [];
  if (threads.length > 0) return { threads: [...threads], conversation };
  return { threads: conversation ? [conversationThread(conversation)] : [], conversation };
}
