/** Tells a project's client something: Hermes appends it to the conversation the project came from. */
import type { Project, Store } from '../storage/ports.js';

export async function tellClient(store: Store, project: Project, text: string): Promise<boolean> {
  const conversations = await store.conversations.listByIdentity(project.ownerId);
  const conversation = conversations.find((candidate) => candidate.projectId === project.id);
  if (!conversation) return false;
  await store.conversations.appendMessage(conversation.id, { at: new Date(), from: 'hermes', text });
  return true;
}
