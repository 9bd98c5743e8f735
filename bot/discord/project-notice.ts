/**
 * Hermes's words into a project's Discord thread (digests, notices), once per effect id. The thread is
 * the one recorded on the project (`ensureProjectThread`); without one, nothing is sent.
 */
import type { ChatMessageRef, ChatTransport } from '../../ports/chat-transport.js';
import type { DiscordUseCases } from './direct-messages.js';

export interface ProjectNotice {
  /** Fixed per notice (e.g. `digest:<project>:<period>`): a retry never posts twice. */
  effectId: string;
  projectId: string;
  text: string;
}

export async function sendProjectNotice(
  context: { useCases: DiscordUseCases; transport: ChatTransport },
  notice: ProjectNotice,
): Promise<ChatMessageRef | null> {
  const project = await context.useCases.threads.project(notice.projectId);
  const thread = project?.threads.find((ref) => ref.surface === 'discord');
  if (!thread) return null;
  return context.useCases.outbox.send(
    context.transport,
    { effectId: `discord.notice:${notice.effectId}`, kind: 'discord.notice' },
    { op: 'post', to: { channel: thread.threadKey } },
    () => ({ text: notice.text }),
  );
}
