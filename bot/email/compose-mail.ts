/**
 * An outgoing mail as bytes, as sent and as kept in the Sent mailbox: From our address, the thread's
 * In-Reply-To and References, `Auto-Submitted: auto-replied` (so other robots do not answer), plain text
 * plus a simple HTML rendering of it, and the files it carries as attachments.
 */
import nodemailer from 'nodemailer';
import { fileBytes, type OutgoingFile } from '../../ports/chat-transport.js';

export interface MailContent {
  messageId: string;
  from: { name: string; address: string };
  to: string;
  subject: string;
  text: string;
  inReplyTo: string | null;
  references: string[];
  /** The project's plus-address, when the thread belongs to a project. */
  replyTo: string | null;
  /** Files attached to the mail (a project's workspace archive). */
  attachments?: readonly OutgoingFile[];
}

const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });

export async function composeMail(mail: MailContent): Promise<Buffer> {
  const info = await composer.sendMail({
    messageId: mail.messageId,
    from: mail.from,
    to: mail.to,
    ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
    subject: mail.subject,
    ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
    ...(mail.references.length > 0 ? { references: mail.references } : {}),
    headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
    text: mail.text,
    html: simpleHtml(mail.text),
    ...(mail.attachments?.length
      ? {
          attachments: mail.attachments.map((file) => ({
            filename: file.name,
            content: fileBytes(file),
            contentType: file.contentType,
          })),
        }
      : {}),
  });
  const message: unknown = info.message;
  if (!Buffer.isBuffer(message)) throw new Error('the mail composer returned no message');
  return message;
}

/** `Re: subject`, without stacking prefixes. */
export function replySubject(subject: string): string {
  const trimmed = subject.trim();
  if (trimmed === '') return 'Re: your message';
  return /^re:/i.test(trimmed) ? trimmed : `Re: ${trimmed}`;
}

export function simpleHtml(text: string): string {
  const escape = (value: string) =>
    value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
  const paragraphs = text
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${escape(paragraph).replace(/\n/g, '<br>')}</p>`)
    .join('\n');
  return `<!doctype html><html><body style="font-family: sans-serif; line-height: 1.4">${paragraphs}</body></html>`;
}
