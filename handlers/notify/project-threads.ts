/**
 * A project's thread on a surface, opened once: when the project has none there, the surface says where
 * it opens and what its first message says (from the project, its owner and the owner's conversations on
 * that surface); the message is an outbox effect (`<surface>.project-thread:<project id>`), done once,
 * and the thread is recorded on the project.
 */
import type { Logger } from '../../common/logging/logger.js';
import type { ChatDestination, ChatTransport, OutgoingMessage } from '../../ports/chat-transport.js';
import type { Conversation, Identity, Project, Store, ThreadRef } from '../../ports/store.js';
import { sendOnce } from '../outbox/send-once.js';

export interface ThreadContext {
  project: Project;
  owner: Identity | null;
  /** The owner's conversations on the surface, the project's own first. */
  conversations: Conversation[];
}

export interface ThreadOpening {
  transport: ChatTransport;
  /** Where the thread opens and its first message; null when there is nowhere to open it. */
  place(context: ThreadContext): { to: ChatDestination; message: OutgoingMessage } | null;
}

export interface ProjectThreads {
  /** The project's thread on the opening's surface, opened if it has none; null when it cannot be. */
  ensure(projectId: string, opening: ThreadOpening): Promise<ThreadRef | null>;
}

export function projectThreads(store: Store, logger: Logger): ProjectThreads {
  return {
    async ensure(projectId, opening) {
      const surface = opening.transport.surface;
      const project = await store.projects.get(projectId);
      if (project === null) return null;
      const existing = project.threads.find((thread) => thread.surface === surface);
      if (existing) return existing;
      const [owner, all] = await Promise.all([
        store.identities.get(project.ownerId),
        store.conversations.listByIdentity(project.ownerId),
      ]);
      const mine = all.filter((conversation) => conversation.surface === surface);
      const conversations = [
        ...mine.filter((conversation) => conversation.projectId === project.id),
        ...mine.filter((conversation) => conversation.projectId !== project.id),
      ];
      const placed = opening.place({ project, owner, conversations });
      if (placed === null) {
        logger.debug(`no ${surface} place for the project thread`, { projectId });
        return null;
      }
      const posted = await sendOnce(
        store.outbox,
        opening.transport,
        {
          effectId: `${surface}.project-thread:${project.id}`,
          kind: `${surface}.project_thread`,
          since: project.createdAt,
          payload: { projectId: project.id },
        },
        { op: 'post', to: placed.to },
        () => placed.message,
      );
      if (posted === null) return null;
      const thread: ThreadRef = { surface, channel: posted.channel, threadKey: posted.messageId };
      await store.projects.addThread(project.id, thread);
      logger.info('project thread opened', { projectId, surface, channel: posted.channel });
      return thread;
    },
  };
}
