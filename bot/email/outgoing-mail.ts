/**
 * One mail Hermes sends (a reply, a notice, a one-time code), once per effect id: through the one outbox
 * (handlers/outbox/send-once.ts) and the email transport. Resolves the mail's Message-ID.
 */
import type { ChatOutbox } from '../../handlers/outbox/chat-outbox.js';
import type { ChatTransport, OutgoingFile } from '../../ports/chat-transport.js';
import type { MailExtras } from './email-transport.js';
import { effectMessageId } from './message-id.js';

export interface OutgoingMail {
  effectId: string;
  /** Outbox kind: `email.reply`, `email.notice`… */
  kind: string;
  to: string;
  subject: string;
  text: string;
  inReplyTo: string | null;
  references: string[];
  /** The project's plus-address, when the thread belongs to a project. */
  replyTo: string | null;
  /** Attachments (email-transport.ts leaves them out when the mail server will not take the mail with them). */
  files?: readonly OutgoingFile[];
}

export interface MailSender {
  outbox: ChatOutbox;
  transport: ChatTransport;
  /** Our address (the domain of every fixed Message-ID). */
  address: string;
}

export async function sendMailOnce(sender: MailSender, mail: OutgoingMail): Promise<string> {
  const extras: MailExtras = { subject: mail.subject, references: mail.references, replyTo: mail.replyTo };
  const ref = await sender.outbox.send(
    sender.transport,
    { effectId: mail.effectId, kind: mail.kind, payload: { to: mail.to } },
    { op: 'post', to: { channel: mail.to, thread: mail.inReplyTo } },
    () => ({ text: mail.text, extras: { ...extras }, ...(mail.files?.length ? { files: mail.files } : {}) }),
  );
  return ref?.messageId ?? effectMessageId(mail.effectId, sender.address);
}
