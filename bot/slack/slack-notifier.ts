/**
 * The Slack side of the SurfaceNotifier port: posts a client notice (a deferred Hermes reply, an
 * orchestration notice, a status digest) into its Slack thread through the outbox and the channel queue,
 * under the notice's effect id, so a repeated delivery posts once. It also opens a project's thread
 * (handlers/notify/project-threads.ts): a root message in SLACK_CLIENTS_CHANNEL when configured, else in
 * the client's DM. The files a notice comes with (a completed project's workspace archive) are uploaded
 * into the same thread after its message.
 *
 * Slack thread references: a project thread is `{ channel, threadKey: <root ts> }`; a DM conversation's
 * thread key is its DM channel (one conversation per DM, as the intake stores it; older conversations
 * were keyed `<channel>:<ts>`, which is accepted as well). `deliverTo` reaches a
 * person directly in the app's DM with them (one-time identity link codes).
 */
import { OlympusError } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { ProjectThreads, ThreadOpening } from '../../handlers/notify/project-threads.js';
import type { ChatOutbox } from '../../handlers/outbox/chat-outbox.js';
import type { OutgoingFile } from '../../ports/chat-transport.js';
import type { IdentityHandle, ThreadRef } from '../../ports/domain.js';
import type { ClientNotice, DirectNotice, SurfaceNotifier } from '../../ports/surface-notifier.js';
import { safeOutboundText } from './outbound-text.js';
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
  /** Sends each notice once (handlers/outbox). */
  outbox: ChatOutbox;
  /** Opens project threads once (handlers/notify). */
  threads: ProjectThreads;
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

/**
 * The thread reference of a Slack DM conversation, from its stored thread key: the DM channel (top level)
 * or, for conversations stored before a DM was one conversation, `<channel>:<ts>`.
 */
export function slackConversationThread(threadKey: string): ThreadRef | null {
  const split = threadKey.indexOf(':');
  if (split < 0) return threadKey === '' ? null : { surface: 'slack', channel: threadKey, threadKey: '' };
  if (split === 0 || split === threadKey.length - 1) return null;
  return { surface: 'slack', channel: threadKey.slice(0, split), threadKey: threadKey.slice(split + 1) };
}

/** The factory the notice router uses for Slack. */
export function createSlackNotifier(options: SlackNotifierOptions): SlackNotifier {
  const { settings, outbox, threads } = options;
  const logger = options.logger.child({ component: 'slack-notifier' });
  const { transport } = options.outbound ?? slackOutbound(settings, logger);
  const lastDay = () => new Date(Date.now() - 24 * 3600_000);

  /** In the clients channel (mentioning the owner), else in the DM given or the project's own DM. */
  function opening(dmChannel: string | null): ThreadOpening {
    return {
      transport,
      place({ project, owner, conversations }) {
        const inChannel = settings.clientsChannel ?? null;
        const dm = conversations
          .map((conversation) => slackConversationThread(conversation.threadKey)?.channel ?? null)
          .find((channel) => channel !== null);
        const channel = inChannel ?? dmChannel ?? dm ?? null;
        if (channel === null) return null;
        const handle = owner?.handles.find((item) => item.surface === 'slack');
        const mention = inChannel && handle ? `<@${handle.externalId}> ` : '';
        const title = safeOutboundText(`${project.title} (${project.key})`);
        return {
          to: { channel },
          message: {
            text: `${mention}*${title}*: progress, digests and notices for this project are posted in this thread.`,
          },
        };
      },
    };
  }

  return {
    surface: 'slack',

    async deliver(notice: ClientNotice, files?: readonly OutgoingFile[]): Promise<void> {
      if (notice.thread.surface !== 'slack') {
        throw new OlympusError('VALIDATION', `a ${notice.thread.surface} thread is not a Slack thread`);
      }
      const target = slackThreadTarget(notice.thread);
      if (target.channel === '') {
        throw new OlympusError('VALIDATION', `notice ${notice.effectId} names no Slack channel`);
      }
      await outbox.send(
        transport,
        { effectId: notice.effectId, kind: `slack.${notice.kind}`, since: lastDay() },
        { op: 'post', to: { channel: target.channel, thread: target.threadTs } },
        // Files are uploaded into the thread by the attempt that posts the notice (slack-transport.ts).
        () => ({ text: safeOutboundText(notice.text), ...(files?.length ? { files } : {}) }),
      );
    },

    async deliverTo(handle: IdentityHandle, message: DirectNotice): Promise<void> {
      if (handle.surface !== 'slack') return;
      // The app's DM with that user (Slack returns the existing one when there is one).
      await outbox.send(
        transport,
        { effectId: `slack.direct:${message.effectId}`, kind: 'slack.direct', since: lastDay() },
        { op: 'dm', userId: handle.externalId },
        () => ({ text: safeOutboundText(message.text) }),
      );
    },

    ensureProjectThread(projectId: string, dmChannel?: string | null): Promise<ThreadRef | null> {
      return threads.ensure(projectId, opening(dmChannel ?? null));
    },
  };
}
