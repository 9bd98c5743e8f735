/**
 * One outgoing mail as an outbox effect, sent once. Its Message-ID is derived from the effect id, so a
 * retry after an unknown outcome (a timeout) sends the very same message again: mail apps and servers
 * that already have it treat the copy as a duplicate, and threading stays intact.
 */
import { createHash } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';
import { z } from 'zod';
import { OlympusError, errorMessage } from '../../common/errors.js';
import type { Store } from '../../ports/store.js';
import { splitAddress } from './addresses.js';
import type { SentFolder } from './sent-folder.js';

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
}

export interface SendContext {
  store: Store;
  transport: Transporter;
  /** Our address (From and envelope sender). */
  address: string;
  displayName?: string;
  /** Where sent mail is kept and looked up before an ambiguous retry; none: the retry just resends. */
  sentFolder?: SentFolder;
}

const sent = z.object({ messageId: z.string().min(1) }).loose();

/** The fixed Message-ID of an effect. */
export function effectMessageId(effectId: string, address: string): string {
  const domain = splitAddress(address)?.domain ?? 'olympus.invalid';
  const digest = createHash('sha256').update(effectId).digest('hex').slice(0, 32);
  return `<${digest}.olympus@${domain}>`;
}

/** Sends unless done already; returns the Message-ID of the (earlier or new) mail. */
export async function sendOnce(context: SendContext, mail: OutgoingMail): Promise<string> {
  const messageId = effectMessageId(mail.effectId, context.address);
  await context.store.outbox.enqueue(mail.effectId, mail.kind, { to: mail.to, messageId });
  const entry = await context.store.outbox.begin(mail.effectId);
  if (entry === null) {
    const done = sent.safeParse((await context.store.outbox.get(mail.effectId))?.result);
    return done.success ? done.data.messageId : messageId;
  }
  try {
    if (entry.attempts > 1 && (await context.sentFolder?.has(messageId))) {
      await context.store.outbox.complete(mail.effectId, {
        messageId,
        attempts: entry.attempts,
        found: true,
      });
      return messageId;
    }
    const raw = await composeMail(context, mail, messageId);
    await context.transport.sendMail({ envelope: { from: context.address, to: mail.to }, raw });
    await context.sentFolder?.keep(raw);
    await context.store.outbox.complete(mail.effectId, { messageId, attempts: entry.attempts });
    return messageId;
  } catch (error) {
    await context.store.outbox.fail(mail.effectId, errorMessage(error));
    throw new OlympusError('SURFACE_UNAVAILABLE', `mail ${mail.effectId} not sent: ${errorMessage(error)}`, {
      retryable: true,
      cause: error,
    });
  }
}

const composer = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'windows' });

/** The whole message, as sent and as kept in the Sent mailbox. */
export async function composeMail(
  context: SendContext,
  mail: OutgoingMail,
  messageId: string,
): Promise<Buffer> {
  const info = await composer.sendMail({
    messageId,
    from: { name: context.displayName ?? 'Hermes', address: context.address },
    to: mail.to,
    ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
    subject: mail.subject,
    ...(mail.inReplyTo ? { inReplyTo: mail.inReplyTo } : {}),
    ...(mail.references.length > 0 ? { references: mail.references } : {}),
    headers: { 'Auto-Submitted': 'auto-replied', 'X-Auto-Response-Suppress': 'All' },
    text: mail.text,
    html: simpleHtml(mail.text),
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
