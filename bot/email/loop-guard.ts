/**
 * Mail we must never answer (RFC 3834 and common practice): auto-replies, bulk and list mail, bounces,
 * mail from ourselves, and mail whose sender asks for no automatic answer (`X-Auto-Response-Suppress` with
 * All, AutoReply or OOF; `Precedence: auto_reply`) — the last two are kept in the conversation, unanswered
 * (`keptWithoutReply`); the others are only recorded in the inbox. (The per-sender reply budget, so two bots cannot mail each other forever, is
 * handlers/outbox/reply-budget.ts.)
 */
import { isOwnAddress } from './addresses.js';

export interface HeaderLine {
  /** Lower-cased header name. */
  key: string;
  /** The whole header line, `Name: value`, possibly folded. */
  line: string;
}

/** Values of a header, unfolded and trimmed, in message order (topmost first). */
export function headerValues(lines: readonly HeaderLine[], name: string): string[] {
  const key = name.toLowerCase();
  return lines
    .filter((line) => line.key === key)
    .map((line) =>
      line.line
        .slice(line.line.indexOf(':') + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim(),
    );
}

/** `X-Auto-Response-Suppress` values that suppress a reply (DR, NDR, RN, NRN alone do not). */
const SUPPRESSING = ['all', 'autoreply', 'oof'];

/** Reasons whose mail is kept in the conversation without a reply (not only recorded in the inbox). */
export const KEPT_WITHOUT_REPLY = ['X-Auto-Response-Suppress', 'Precedence: auto_reply'] as const;

export function keptWithoutReply(reason: string | null): boolean {
  return reason !== null && (KEPT_WITHOUT_REPLY as readonly string[]).includes(reason);
}

/** Why this mail must not be answered, or null when a reply is fine. */
export function noReplyReason(lines: readonly HeaderLine[], from: string, ownAddress: string): string | null {
  const autoSubmitted = headerValues(lines, 'auto-submitted');
  if (autoSubmitted.some((value) => value.split(';')[0]?.trim().toLowerCase() !== 'no')) {
    return 'Auto-Submitted';
  }
  const precedence = headerValues(lines, 'precedence').map((value) => value.toLowerCase());
  if (precedence.some((value) => ['bulk', 'junk', 'list'].includes(value))) return 'Precedence';
  if (headerValues(lines, 'list-id').length > 0) return 'List-Id';
  if (headerValues(lines, 'x-autoreply').length > 0 || headerValues(lines, 'x-autorespond').length > 0) {
    return 'X-Autoreply';
  }
  const returnPath = headerValues(lines, 'return-path');
  if (returnPath.some((value) => value.replace(/\s/g, '') === '<>')) return 'empty Return-Path';
  const sender = from.toLowerCase();
  const local = sender.split('@')[0] ?? '';
  if (local === 'mailer-daemon' || local === 'postmaster') return 'MAILER-DAEMON';
  if (sender === '' || isOwnAddress(ownAddress, sender)) return 'own address';
  // Checked last: the sender asks for no automatic answer, but a person may have written the mail.
  const suppress = headerValues(lines, 'x-auto-response-suppress').flatMap((value) =>
    value.split(',').map((item) => item.trim().toLowerCase()),
  );
  if (suppress.some((item) => SUPPRESSING.includes(item))) return 'X-Auto-Response-Suppress';
  if (precedence.includes('auto_reply')) return 'Precedence: auto_reply';
  return null;
}
