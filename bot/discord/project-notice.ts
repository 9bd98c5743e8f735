/**
 * Hermes's words into a project's Discord thread (digests, notices), once per effect id. The thread is
 * the one recorded on the project (`ensureProjectThread`); without one, nothing is sent.
 */
import type { REST } from 'discord.js';
import type { Store } from '../../ports/store.js';
import { sendOnce, type SentRef } from './send-once.js';

export interface ProjectNotice {
  /** Fixed per notice (e.g. `digest:<project>:<period>`): a retry never posts twice. */
  effectId: string;
  projectId: string;
  text: string;
}

export async function sendProjectNotice(
  context: { store: Store; rest: REST; botUserId: string },
  notice: ProjectNotice,
): Promise<SentRef | null> {
  const project = await context.store.projects.get(notice.projectId);
  const thread = project?.threads.find((ref) => ref.surface === 'discord');
  if (!thread) return null;
  return sendOnce(context.store, context.rest, {
    effectId: `discord.notice:${notice.effectId}`,
    kind: 'discord.notice',
    channelId: thread.threadKey,
    botUserId: context.botUserId,
    text: notice.text,
  });
}
