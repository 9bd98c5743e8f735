/**
 * Email as a chat transport. A "channel" is the recipient's address and a thread the Message-ID a mail
 * answers: `post` sends one mail to `to.channel` with `In-Reply-To: to.thread`, its Message-ID fixed by
 * the effect id (a retry after an unknown outcome sends the very same message, which mail apps and
 * servers that have it already treat as a duplicate); `extras` carry the subject, the References chain
 * and the Reply-To. `dm` mails an address outside any thread. A sent mail cannot be changed, so `update`
 * is refused. `find` looks for the fixed Message-ID in the account's Sent mailbox when one is kept (every
 * sent mail is appended there), else it cannot tell and the mail is sent again under the same Message-ID.
 * Mail has no delivery lanes.
 */
import type { Transporter } from 'nodemailer';
import { z } from 'zod';
import { OlympusError } from '../../common/errors.js';
import type {
  ChatDestination,
  ChatEffect,
  ChatMessageRef,
  ChatTransport,
  OutgoingMessage,
} from '../../ports/chat-transport.js';
import { composeMail } from './compose-mail.js';
import { effectMessageId } from './message-id.js';
import type { SentFolder } from './sent-folder.js';

export interface EmailTransportOptions {
  smtp: Transporter;
  /** Our address (From and envelope sender). */
  address: string;
  displayName?: string;
  /** Where sent mail is kept and looked up after an ambiguous attempt; none: `find` cannot tell. */
  sentFolder?: SentFolder;
}

/** What a mail carries besides its text (`OutgoingMessage.extras`). */
const mailExtras = z
  .object({
    subject: z.string().optional(),
    references: z.array(z.string()).optional(),
    replyTo: z.string().nullable().optional(),
  })
  .loose();

export interface MailExtras {
  subject?: string;
  /** The thread's Message-IDs, oldest first (default: the one answered). */
  references?: string[];
  /** The project's plus-address, when the thread belongs to a project. */
  replyTo?: string | null;
}

export function emailTransport(options: EmailTransportOptions): ChatTransport {
  const { smtp, address, sentFolder } = options;

  const post = async (
    effect: ChatEffect,
    to: ChatDestination,
    message: OutgoingMessage,
  ): Promise<ChatMessageRef> => {
    const extras = mailExtras.parse(message.extras ?? {});
    const thread = to.thread ?? null;
    const messageId = effectMessageId(effect.effectId, address);
    const raw = await composeMail({
      messageId,
      from: { name: options.displayName ?? 'Hermes', address },
      to: to.channel,
      subject: extras.subject ?? (thread ? 'Re: your message' : 'A message from Hermes'),
      text: message.text,
      inReplyTo: thread,
      references: extras.references ?? (thread ? [thread] : []),
      replyTo: extras.replyTo ?? null,
    });
    await smtp.sendMail({ envelope: { from: address, to: to.channel }, raw });
    await sentFolder?.keep(raw);
    return { channel: to.channel, messageId };
  };

  return {
    surface: 'email',
    post,
    update(effect) {
      return Promise.reject(
        new OlympusError('VALIDATION', `a sent mail cannot be changed (effect ${effect.effectId})`, {
          userMessage: 'Mail that was sent cannot be changed; send a new one instead.',
        }),
      );
    },
    dm: (effect, userId, message) => post(effect, { channel: userId }, message),
    async find(effect, to) {
      if (!sentFolder) return null;
      const messageId = effectMessageId(effect.effectId, address);
      if (!(await sentFolder.has(messageId))) return null;
      return { channel: 'userId' in to ? to.userId : to.channel, messageId };
    },
    inLane: (_to, work) => work(),
  };
}
