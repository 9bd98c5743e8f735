/**
 * A confirmed project gets one public thread in the configured projects channel, for replies and digests.
 * The project's announcement is posted into the channel once (outbox effect `discord.thread:<project id>`,
 * found by its nonce after an unknown outcome), and the thread is started from it: a thread started from a
 * message has that message's id, so starting it again finds the same thread. The thread is then recorded
 * on the project as its Discord thread reference.
 */
import { Routes, type REST } from 'discord.js';
import { z } from 'zod';
import { OlympusError } from '../../common/errors.js';
import type { ChatOutbox } from '../../handlers/outbox/chat-outbox.js';
import type { ThreadDirectory } from '../../handlers/threads/thread-directory.js';
import type { ChatTransport } from '../../ports/chat-transport.js';
import { escapeMentions } from './outbound-text.js';

export interface ProjectThreadContext {
  threads: ThreadDirectory;
  outbox: ChatOutbox;
  transport: ChatTransport;
  rest: REST;
  /** The projects channel. */
  channelId: string;
}

const ONE_WEEK_MINUTES = 10080;
/** Discord's answer when the message has a thread already. */
const THREAD_ALREADY_CREATED = 160004;
const thread = z.object({ id: z.string().regex(/^\d+$/) }).loose();

function threadName(project: { key: string; title: string }): string {
  return escapeMentions(`${project.key} · ${project.title}`).slice(0, 100);
}

/** The project's thread id in the projects channel, created once; null for an unknown project. */
export async function ensureProjectThread(
  context: ProjectThreadContext,
  projectId: string,
): Promise<string | null> {
  const { threads, channelId } = context;
  const project = await threads.project(projectId);
  if (project === null) return null;
  const known = project.threads.find((ref) => ref.surface === 'discord' && ref.channel === channelId);
  if (known) return known.threadKey;
  const name = threadName(project);
  const announcement = await context.outbox.send(
    context.transport,
    { effectId: `discord.thread:${projectId}`, kind: 'discord.thread', payload: { name } },
    { op: 'post', to: { channel: channelId } },
    () => ({
      text: `Project **${project.title}** is confirmed. Progress and digests will appear in this thread.`,
    }),
  );
  if (announcement === null) {
    throw new OlympusError('INTERNAL', `discord thread for ${projectId}: its announcement left no message`);
  }
  const threadId = await startThread(context.rest, channelId, announcement.messageId, name);
  await threads.addProjectThread(projectId, { surface: 'discord', channel: channelId, threadKey: threadId });
  return threadId;
}

async function startThread(rest: REST, channelId: string, messageId: string, name: string): Promise<string> {
  try {
    const started = thread.parse(
      await rest.post(Routes.threads(channelId, messageId), {
        body: { name, auto_archive_duration: ONE_WEEK_MINUTES },
      }),
    );
    return started.id;
  } catch (error) {
    if ((error as { code?: unknown }).code === THREAD_ALREADY_CREATED) return messageId;
    throw new OlympusError('SURFACE_UNAVAILABLE', `discord thread on message ${messageId} not started`, {
      retryable: true,
      cause: error,
    });
  }
}
