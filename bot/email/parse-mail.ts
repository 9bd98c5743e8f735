/**
 * A received mail as the surface uses it: addresses, threading headers, the client's own words (plain
 * text preferred, HTML turned to text, quoted replies and signatures cut) and a record of attachments
 * (name, type, size) that never carries their content.
 */
import EmailReplyParser from 'email-reply-parser';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { normalizeAddress } from './email-settings.js';
import type { HeaderLine } from './loop-guard.js';

export interface AttachmentRecord {
  name: string;
  type: string;
  size: number;
  /** True when the attachment was not downloaded (the mail was over the size limit). */
  dropped: boolean;
}

export interface ReceivedMail {
  messageId: string | null;
  inReplyTo: string | null;
  references: string[];
  /** Lower-cased sender address ('' when there is none). */
  from: string;
  fromName: string;
  /** Lower-cased To and Cc addresses. */
  recipients: string[];
  subject: string;
  /** The client's new words only. */
  text: string;
  attachments: AttachmentRecord[];
  headerLines: HeaderLine[];
}

/** Most characters of a mail's text the intake gets. */
export const MAX_TEXT_CHARS = 20_000;

export async function parseMail(source: Buffer | string): Promise<ReceivedMail> {
  const parsed = await simpleParser(source, { skipImageLinks: true, skipTextToHtml: true });
  const text = parsed.text ?? (typeof parsed.html === 'string' ? htmlToPlain(parsed.html) : '');
  return {
    ...headersOf(parsed),
    text: newWords(text),
    attachments: parsed.attachments.map((attachment) => ({
      name: attachment.filename ?? '(unnamed)',
      type: attachment.contentType,
      size: attachment.size,
      dropped: false,
    })),
  };
}

/** A mail known by its headers and (separately downloaded) text only: everything else was dropped. */
export async function parseHeadersOnly(
  headerSource: Buffer,
  text: string,
  isHtml: boolean,
  attachments: AttachmentRecord[],
): Promise<ReceivedMail> {
  const parsed = await simpleParser(headerSource, { skipImageLinks: true, skipTextToHtml: true });
  return { ...headersOf(parsed), text: newWords(isHtml ? htmlToPlain(text) : text), attachments };
}

/** Cuts quoted replies and signatures; keeps the whole text if that would leave nothing. */
export function newWords(text: string): string {
  const normalized = text.replace(/\r\n/g, '\n').slice(0, MAX_TEXT_CHARS * 2);
  let visible: string;
  try {
    visible = new EmailReplyParser().parseReply(normalized).trim();
  } catch {
    visible = normalized.trim();
  }
  return (visible.length > 0 ? visible : normalized.trim()).slice(0, MAX_TEXT_CHARS);
}

/** A small HTML-to-text fallback for mail whose text part had to be downloaded on its own. */
export function htmlToPlain(html: string): string {
  return html
    .replace(/<(script|style|head)[^>]*>[\s\S]*?<\/\1>/gi, '')
    .replace(/<br\s*\/?>/gi, '\n')
    .replace(/<\/(p|div|li|tr|h[1-6])>/gi, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

function headersOf(parsed: ParsedMail): Omit<ReceivedMail, 'text' | 'attachments'> {
  const from = parsed.from?.value[0];
  const references =
    parsed.references === undefined
      ? []
      : Array.isArray(parsed.references)
        ? parsed.references
        : parsed.references.split(/\s+/).filter((id) => id.length > 0);
  return {
    messageId: parsed.messageId ?? null,
    inReplyTo: parsed.inReplyTo?.split(/\s+/)[0] ?? null,
    references,
    from: normalizeAddress(from?.address ?? ''),
    fromName: from?.name || from?.address || '',
    recipients: [...addresses(parsed.to), ...addresses(parsed.cc)],
    subject: parsed.subject ?? '',
    headerLines: parsed.headerLines.map((line) => ({ key: line.key.toLowerCase(), line: line.line })),
  };
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  if (field === undefined) return [];
  return (Array.isArray(field) ? field : [field])
    .flatMap((object) => object.value)
    .flatMap((entry) => [entry.address, ...(entry.group ?? []).map((member) => member.address)])
    .filter((address): address is string => typeof address === 'string' && address.length > 0)
    .map(normalizeAddress);
}
