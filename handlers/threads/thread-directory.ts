/**
 * Where a surface's threads lead: the conversation behind a thread, the project a thread or a key
 * belongs to, and recording a project's thread on a surface once it exists. Surfaces ask this instead
 * of reading conversations and projects themselves.
 */
import type { Conversation, Project, Store, Surface, ThreadRef } from '../../ports/store.js';

export interface ThreadDirectory {
  conversation(id: string): Promise<Conversation | null>;
  conversationByThread(surface: Surface, threadKey: string): Promise<Conversation | null>;
  project(id: string): Promise<Project | null>;
  projectByKey(key: string): Promise<Project | null>;
  /** Adds the thread to the project's thread references (a known reference is kept once). */
  addProjectThread(projectId: string, thread: ThreadRef): Promise<void>;
}

export function threadDirectory(store: Pick<Store, 'conversations' | 'projects'>): ThreadDirectory {
  return {
    conversation: (id) => store.conversations.get(id),
    conversationByThread: (surface, threadKey) => store.conversations.findByThread(surface, threadKey),
    project: (id) => store.projects.get(id),
    projectByKey: (key) => store.projects.getByKey(key),
    async addProjectThread(projectId, thread) {
      await store.projects.addThread(projectId, thread);
    },
  };
}
