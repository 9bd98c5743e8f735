/**
 * A confirmed project gets one public thread in the configured projects channel, for replies and digests.
 * Created through the outbox (effect `discord.thread:<project id>`), recorded on the project as a thread
 * reference, and announced in the thread once. A retry after an unknown outcome looks for the thread by
 * its name (which carries the unique project key) among the guild's active threads before creating it.
 */
import { ChannelType, Routes, type REST } from 'discord.js';
import { z } from 'zod';
import { OlympusError, errorMessage } from '../../common/errors.js';
import type { Store } from '../../ports/store.js';
import { escapeMentions } from './outbound-text.js';
import { sendOnce } from './send-once.js';

export interface ProjectThreadContext {
  store: Store;
  rest: REST;
  botUserId: string;
  channelId: string;
  guildId: string | null;
}

const ONE_WEEK_MINUTES = 10080;
const thread = z.object({ id: z.string().regex(/^\d+$/), name: z.string().optional() }).loose();
const activeThreads = z.object({ threads: z.array(thread) }).loose();

function threadName(project: { key: string; title: string }): string {
  return escapeMentions(`${project.key} · ${project.title}`).slice(0, 100);
}

/** The project's thread id in the projects channel, created once; null for an unknown project. */
export async function ensureProjectThread(
  context: ProjectThreadContext,
  projectId: string,
): Promise<string | null> {
  const { store, rest, channelId } = context;
  const project = await store.projects.get(projectId);
  if (project === null) return null;
  const known = project.threads.find((ref) => ref.surface === 'discord' && ref.channel === channelId);
  if (known) return known.threadKey;
  const effectId = `discord.thread:${projectId}`;
  const name = threadName(project);
  await store.outbox.enqueue(effectId, 'discord.thread', { channelId, name });
  const entry = await store.outbox.begin(effectId);
  if (entry === null) {
    const done = thread.safeParse((await store.outbox.get(effectId))?.result);
    return done.success ? done.data.id : null;
  }
  try {
    let threadId = entry.attempts > 1 ? await findThread(context, name) : null;
    if (threadId === null) {
      const created = thread.parse(
        await rest.post(Routes.threads(channelId), {
          body: { name, type: ChannelType.PublicThread, auto_archive_duration: ONE_WEEK_MINUTES },
        }),
      );
      threadId = created.id;
    }
    await store.projects.addThread(projectId, {
      surface: 'discord',
      channel: channelId,
      threadKey: threadId,
    });
    await store.outbox.complete(effectId, { id: threadId, name });
    await sendOnce(store, rest, {
      effectId: `discord.thread-intro:${projectId}`,
      kind: 'discord.notice',
      channelId: threadId,
      botUserId: context.botUserId,
      text: `Project **${project.title}** is confirmed. Progress and digests will appear in this thread.`,
    });
    return threadId;
  } catch (error) {
    await store.outbox.fail(effectId, errorMessage(error));
    throw new OlympusError(
      'SURFACE_UNAVAILABLE',
      `discord thread for ${projectId} failed: ${errorMessage(error)}`,
      {
        retryable: true,
        cause: error,
      },
    );
  }
}

async function findThread(context: ProjectThreadContext, name: string): Promise<string | null> {
  if (context.guildId === null) return null;
  const listed = activeThreads.parse(await context.rest.get(Routes.guildActiveThreads(context.guildId)));
  return listed.threads.find((candidate) => candidate.name === name)?.id ?? null;
}
