/**
 * Mail we must never answer (RFC 3834 and common practice): auto-replies, bulk and list mail, bounces,
 * mail from ourselves. (The per-sender reply budget, so two bots cannot mail each other forever, is
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
  return null;
}
