/**
 * Email as a chat transport. A "channel" is the recipient's address and a thread the Message-ID a mail
 * answers: `post` sends one mail to `to.channel` with `In-Reply-To: to.thread`, its Message-ID fixed by
 * the effect id (a retry after an unknown outcome sends the very same message, which mail apps and
 * servers that have it already treat as a duplicate); `extras` carry the subject, the References chain
 * and the Reply-To. `dm` mails an address outside any thread. A sent mail cannot be changed, so `update`
 * is refused. `find` looks for the fixed Message-ID in the account's Sent mailbox when one is kept (every
 * sent mail is appended there), else it cannot tell and the mail is sent again under the same Message-ID.
 * Mail has no delivery lanes.
 *
 * `message.files` are the mail's attachments. The limit on a mail's size is the receiving server's own: the
 * SMTP envelope declares the mail's size, so a server that advertises a smaller SIZE (Postfix's default is
 * 10 MB, which an 8 MB file, base64-encoded, exceeds) refuses it before any of it is sent; the mail then
 * goes without its files, its text saying which were left out (the same Message-ID, so still once).
 */
import type { Transporter } from 'nodemailer';
import { z } from 'zod';
import { OlympusError } from '../../common/errors.js';
import type {
  ChatDestination,
  ChatEffect,
  ChatMessageRef,
  ChatTransport,
  OutgoingFile,
  OutgoingMessage,
} from '../../ports/chat-transport.js';
import { composeMail, type MailContent } from './compose-mail.js';
import { effectMessageId } from './message-id.js';
import { formatBytes } from './oversized.js';
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
    const content: MailContent = {
      messageId,
      from: { name: options.displayName ?? 'Hermes', address },
      to: to.channel,
      subject: extras.subject ?? (thread ? 'Re: your message' : 'A message from Hermes'),
      text: message.text,
      inReplyTo: thread,
      references: extras.references ?? (thread ? [thread] : []),
      replyTo: extras.replyTo ?? null,
    };
    const files = message.files ?? [];
    const send = async (mail: MailContent): Promise<Buffer> => {
      const raw = await composeMail(mail);
      await smtp.sendMail({ envelope: { from: address, to: to.channel, size: raw.length }, raw });
      return raw;
    };
    let raw: Buffer;
    try {
      raw = await send(files.length > 0 ? { ...content, attachments: files } : content);
    } catch (error) {
      // Refused for its size before it was taken: nothing was delivered, so the same mail goes without them.
      if (files.length === 0 || !tooLarge(error)) throw error;
      raw = await send({ ...content, text: `${content.text}\n\n${leftOutNote(files)}` });
    }
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

/**
 * Whether SMTP refused the mail for its size: nodemailer's own check against the SIZE the server
 * advertised, or the server's 552 / 5.3.4 ("message size exceeds fixed limit").
 */
export function tooLarge(error: unknown): boolean {
  const candidate = error as { code?: unknown; responseCode?: unknown; message?: unknown } | null;
  if (candidate === null || typeof candidate !== 'object') return false;
  const message = typeof candidate.message === 'string' ? candidate.message : '';
  if (candidate.code === 'EMESSAGE' && /size/i.test(message)) return true;
  return candidate.responseCode === 552 || /\b5\.3\.4\b/.test(message);
}

/** The line a mail carries instead of files its server would not take. */
function leftOutNote(files: readonly OutgoingFile[]): string {
  const list = files.map((file) => `${file.name} (${formatBytes(file.data.byteLength)})`).join(', ');
  return `Not attached, as the mail server does not take mail this large: ${list}.`;
}
