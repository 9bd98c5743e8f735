/**
 * The Slack side of the SurfaceNotifier port: posts a client notice (a deferred Hermes reply, an
 * orchestration notice, a status digest) into its Slack thread through the outbox and the channel queue,
 * under the notice's effect id, so a repeated delivery posts once. It also opens a project's thread: a
 * root message in SLACK_CLIENTS_CHANNEL when configured, else in the client's DM, recorded on the project.
 *
 * Slack thread references: a project thread is `{ channel, threadKey: <root ts> }`; a DM conversation's
 * thread key is `<channel>:<ts>` (as the intake stores it) and is accepted as well. `deliverTo` reaches a
 * person directly in the app's DM with them (one-time identity link codes).
 */
import { OlympusError } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { ClientNotice, DirectNotice, SurfaceNotifier } from '../../ports/surface-notifier.js';
import type { IdentityHandle, Project, Store, ThreadRef } from '../../ports/store.js';
import { safeOutboundText } from './outbound-text.js';
import { postOnce } from './post-once.js';
import { slackOutbound, type SlackOutbound } from './slack-outbound.js';
import type { SlackSettings } from './slack-settings.js';

export interface SlackNotifier extends SurfaceNotifier {
  /**
   * The project's Slack thread, opened (once) if it has none: in the clients channel when configured,
   * else in `dmChannel` or the DM the project's conversation came from. Null when there is nowhere to
   * open it (no clients channel and no Slack DM).
   */
  ensureProjectThread(projectId: string, dmChannel?: string | null): Promise<ThreadRef | null>;
}

export interface SlackNotifierOptions {
  settings: SlackSettings;
  store: Store;
  logger: Logger;
  /** Defaults to the shared client and channel queue of `settings`. */
  outbound?: SlackOutbound;
}

/** Where a Slack thread reference points: the channel and the thread's root ts (null: top level). */
export function slackThreadTarget(thread: ThreadRef): { channel: string; threadTs: string | null } {
  const key = thread.threadKey;
  const split = key.indexOf(':');
  if (split > 0) return { channel: key.slice(0, split), threadTs: key.slice(split + 1) || null };
  return { channel: thread.channel, threadTs: key === '' ? null : key };
}

/** The thread reference of a Slack DM conversation, from its stored thread key (`<channel>:<ts>`). */
export function slackConversationThread(threadKey: string): ThreadRef | null {
  const split = threadKey.indexOf(':');
  if (split <= 0 || split === threadKey.length - 1) return null;
  return { surface: 'slack', channel: threadKey.slice(0, split), threadKey: threadKey.slice(split + 1) };
}

/** The factory the notice router uses for Slack. */
export function createSlackNotifier(options: SlackNotifierOptions): SlackNotifier {
  const { settings, store } = options;
  const logger = options.logger.child({ component: 'slack-notifier' });
  let outbound = options.outbound ?? null;
  const slack = () => (outbound ??= slackOutbound(settings, logger));

  async function dmOf(project: Project): Promise<string | null> {
    const conversations = await store.conversations.listByIdentity(project.ownerId);
    const mine = conversations.filter((item) => item.surface === 'slack');
    const conversation = mine.find((item) => item.projectId === project.id) ?? mine[0];
    return conversation ? (slackConversationThread(conversation.threadKey)?.channel ?? null) : null;
  }

  async function ownerMention(project: Project): Promise<string> {
    const owner = await store.identities.get(project.ownerId);
    const handle = owner?.handles.find((item) => item.surface === 'slack');
    return handle ? `<@${handle.externalId}> ` : '';
  }

  return {
    surface: 'slack',

    async deliver(notice: ClientNotice): Promise<void> {
      if (notice.thread.surface !== 'slack') {
        throw new OlympusError('VALIDATION', `a ${notice.thread.surface} thread is not a Slack thread`);
      }
      const target = slackThreadTarget(notice.thread);
      if (target.channel === '') {
        throw new OlympusError('VALIDATION', `notice ${notice.effectId} names no Slack channel`);
      }
      await postOnce(store, slack(), {
        effectId: notice.effectId,
        kind: `slack.${notice.kind}`,
        channel: target.channel,
        ...(target.threadTs ? { threadTs: target.threadTs } : {}),
        since: new Date(Date.now() - 24 * 3600_000),
        render: () => Promise.resolve({ text: safeOutboundText(notice.text) }),
      });
    },

    async deliverTo(handle: IdentityHandle, message: DirectNotice): Promise<void> {
      if (handle.surface !== 'slack') return;
      // The app's DM with that user (Slack returns the existing one when there is one).
      const opened = await slack().client.conversations.open({ users: handle.externalId });
      const channel = opened.channel?.id;
      if (!channel) {
        throw new OlympusError('SURFACE_UNAVAILABLE', `Slack opened no DM with ${handle.externalId}`, {
          retryable: true,
        });
      }
      await postOnce(store, slack(), {
        effectId: `slack.direct:${message.effectId}`,
        kind: 'slack.direct',
        channel,
        since: new Date(Date.now() - 24 * 3600_000),
        render: () => Promise.resolve({ text: safeOutboundText(message.text) }),
      });
    },

    async ensureProjectThread(projectId: string, dmChannel?: string | null): Promise<ThreadRef | null> {
      const project = await store.projects.get(projectId);
      if (project === null) return null;
      const existing = project.threads.find((thread) => thread.surface === 'slack');
      if (existing) return existing;
      const inChannel = settings.clientsChannel ?? null;
      const channel = inChannel ?? dmChannel ?? (await dmOf(project));
      if (channel === null) {
        logger.debug('no Slack place for the project thread', { projectId });
        return null;
      }
      const mention = inChannel ? await ownerMention(project) : '';
      const title = safeOutboundText(`${project.title} (${project.key})`);
      const posted = await postOnce(store, slack(), {
        effectId: `slack.project-thread:${project.id}`,
        kind: 'slack.project_thread',
        channel,
        since: project.createdAt,
        render: () =>
          Promise.resolve({
            text: `${mention}*${title}*: progress, digests and notices for this project are posted in this thread.`,
          }),
      });
      if (posted === null) return null;
      const thread: ThreadRef = { surface: 'slack', channel: posted.channel, threadKey: posted.ts };
      await store.projects.addThread(project.id, thread);
      logger.info('project thread opened', { projectId, channel: posted.channel });
      return thread;
    },
  };
}
