/**
 * Client DMs: a message in the app's DM goes to the intake handler (Hermes) under the event's own inbox
 * entry (the receiver stored it before the ack; the intake attaches the message to it), and the reply is
 * posted in the message's thread through the outbox (effect id per inbound message), so a retry never
 * answers twice. The reply is escaped and its links defanged (outbound-text.ts): it can quote what the
 * client wrote. Once a message hands a confirmed project off, the project's thread is opened
 * (`onConfirmed`).
 *
 * A DM is one conversation, whatever the threading: top-level messages and thread replies in the same DM
 * continue the intake in progress (its thread key is the DM channel); a new project starts only when the
 * client asks for one. The writer's identity is keyed by their workspace (slack-workspaces.ts).
 */
import type { Context } from '@slack/bolt';
import { z } from 'zod';
import { OlympusError } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type {
  ClientMessageResult,
  IncomingClientMessage,
} from '../../handlers/intake/handle-client-message.js';
import type { ChatOutbox } from '../../handlers/outbox/chat-outbox.js';
import type { ChatTransport } from '../../ports/chat-transport.js';
import type { ListenerRoutes } from './listener-routes.js';
import { safeOutboundText } from './outbound-text.js';
import { requestOrigin, type StoredRequest } from './payloads.js';
import { DELIVERY_PROPERTY, REQUEST_PROPERTY, type InboundDelivery } from './slack-receiver.js';
import type { SlackWorkspaces } from './slack-workspaces.js';

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
  routes: ListenerRoutes,
  deps: {
    intake: ClientIntake | null;
    outbox: ChatOutbox;
    transport: ChatTransport;
    logger: Logger;
    /** Whose handle the writer is (their workspace and user id). */
    workspaces: SlackWorkspaces;
    /** Called once a message confirmed a project (its project thread is opened). */
    onConfirmed?: (projectId: string, dmChannel: string) => Promise<void>;
  },
): void {
  routes.event('message', async ({ event, context }) => {
    const parsed = directMessage.safeParse(event);
    if (!parsed.success) return;
    const dm = parsed.data;
    if (deps.intake === null) {
      deps.logger.debug('client message received; no intake handler is wired', { channel: dm.channel });
      return;
    }
    const delivery = deliveryOf(context);
    const threadTs = dm.thread_ts ?? dm.ts;
    const origin = requestOrigin(requestOf(context));
    const writer = origin.user ?? { id: dm.user, teamId: origin.teamId, enterpriseId: origin.enterpriseId };
    const result = await deps.intake.dispatch({
      key: delivery.key,
      claimed: true,
      surface: 'slack',
      handle: deps.workspaces.handleOf(writer),
      displayName: dm.user,
      threadKey: dm.channel,
      text: dm.text,
    });
    // A deferred turn left the entry failed for the intake's redrive: it is not marked done here.
    if (result.deferred) delivery.settledByHandler();
    // An empty reply (a message over the client's rate limit) is recorded but not answered.
    if (result.reply === '') return;
    await deps.outbox.send(
      deps.transport,
      {
        effectId: `slack.reply:${dm.channel}:${dm.ts}`,
        kind: 'slack.reply',
        since: new Date(Number(dm.ts) * 1000),
      },
      { op: 'post', to: { channel: dm.channel, thread: threadTs } },
      () => ({ text: safeOutboundText(result.reply) }),
    );
    if (result.projectId !== null && result.state === 'handed_off' && deps.onConfirmed) {
      await deps.onConfirmed(result.projectId, dm.channel);
    }
  });
}

function requestOf(context: Context): StoredRequest {
  const request = context[REQUEST_PROPERTY] as StoredRequest | undefined;
  if (!request) throw new OlympusError('INTERNAL', 'slack listener called without its request');
  return request;
}

function deliveryOf(context: Context): InboundDelivery {
  const delivery = context[DELIVERY_PROPERTY] as InboundDelivery | undefined;
  if (!delivery) throw new OlympusError('INTERNAL', 'slack listener called without its inbox entry');
  return delivery;
}
