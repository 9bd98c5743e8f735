/**
 * Client DMs: a message in the app's DM goes to the intake handler (Hermes); the reply is posted in the
 * message's thread through the outbox (effect id per inbound message), so a retry never answers twice.
 * The reply is escaped and its links defanged (outbound-text.ts): it can quote what the client wrote.
 * Once a message hands a confirmed project off, the project's thread is opened (`onConfirmed`).
 */
import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { Logger } from '../../common/logging/logger.js';
import type {
  ClientMessageResult,
  IncomingClientMessage,
} from '../../handlers/intake/handle-client-message.js';
import type { Store } from '../../ports/store.js';
import { safeOutboundText } from './outbound-text.js';
import { postOnce } from './post-once.js';
import type { SlackOutbound } from './slack-outbound.js';

/** The intake entry point (ClientMessageHandler satisfies it). */
export interface ClientIntake {
  dispatch(incoming: IncomingClientMessage): Promise<ClientMessageResult>;
}

/** A plain message a person wrote in a DM (no subtype: not an edit, a join, or a bot's own post). */
const directMessage = z.object({
  type: z.literal('message'),
  channel_type: z.literal('im'),
  channel: z.string().min(1),
  user: z.string().min(1),
  text: z.string().min(1),
  ts: z.string().min(1),
  thread_ts: z.string().optional(),
  subtype: z.undefined().optional(),
  bot_id: z.undefined().optional(),
});

export function registerClientMessageListeners(
  app: App,
  deps: {
    intake: ClientIntake | null;
    store: Store;
    logger: Logger;
    outbound: SlackOutbound;
    /** Called once a message confirmed a project (its project thread is opened). */
    onConfirmed?: (projectId: string, dmChannel: string) => Promise<void>;
  },
): void {
  app.message(async ({ message }) => {
    const parsed = directMessage.safeParse(message);
    if (!parsed.success) return;
    const dm = parsed.data;
    if (deps.intake === null) {
      deps.logger.debug('client message received; no intake handler is wired', { channel: dm.channel });
      return;
    }
    const threadTs = dm.thread_ts ?? dm.ts;
    const result = await deps.intake.dispatch({
      key: `slack:message:${dm.channel}:${dm.ts}`,
      surface: 'slack',
      handle: { surface: 'slack', externalId: dm.user },
      displayName: dm.user,
      threadKey: `${dm.channel}:${threadTs}`,
      text: dm.text,
    });
    // An empty reply (a message over the client's rate limit) is recorded but not answered.
    if (result.reply === '') return;
    await postOnce(deps.store, deps.outbound, {
      effectId: `slack.reply:${dm.channel}:${dm.ts}`,
      kind: 'slack.reply',
      channel: dm.channel,
      threadTs,
      since: new Date(Number(dm.ts) * 1000),
      render: () => Promise.resolve({ text: safeOutboundText(result.reply) }),
    });
    if (result.projectId !== null && result.state === 'handed_off' && deps.onConfirmed) {
      await deps.onConfirmed(result.projectId, dm.channel);
    }
  });
}
