/**
 * What the email surface needs to know, and the IMAP and SMTP connection options derived from the
 * configured URLs (validated here: a URL without a user or password is refused with a clear error).
 */
import type { DNSResolver } from 'mailauth';
import { z } from 'zod';
import { OlympusError } from '../../common/errors.js';

export interface EmailSettings {
  /** The project address clients mail, e.g. hermes@example.com. */
  address: string;
  /** imap(s)://user:password@host:port */
  imapUrl: string;
  /** smtp(s)://[user:password@]host:port */
  smtpUrl: string;
  /** authserv-id of the Authentication-Results header our own mail server adds; null: not checked. */
  authservId: string | null;
  /** Largest mail (bytes) downloaded whole; bigger mail keeps its text, its attachments are dropped. */
  maxBytes: number;
  /** Replies one sender gets per hour at most (stops two bots mailing each other forever). */
  repliesPerHour: number;
  /** How senders are authenticated (default: our server's Authentication-Results). */
  verify?: 'authentication-results' | 'mailauth';
  /** DNS lookups for `mailauth` verification (default: the system resolver). */
  dnsResolver?: DNSResolver;
}

export interface ImapConnection {
  host: string;
  port: number;
  secure: boolean;
  user: string;
  pass: string;
}

const imapUrl = z.url({ protocol: /^imaps?$/ });

export function imapConnection(url: string): ImapConnection {
  const parsed = new URL(imapUrl.parse(url));
  if (parsed.username === '' || parsed.password === '') {
    throw new OlympusError('CONFIG_INVALID', 'IMAP_URL must carry a user and a password', {
      userMessage: 'Email is misconfigured; an operator must fix IMAP_URL.',
    });
  }
  const secure = parsed.protocol === 'imaps:';
  return {
    host: parsed.hostname,
    port: parsed.port === '' ? (secure ? 993 : 143) : Number(parsed.port),
    secure,
    user: decodeURIComponent(parsed.username),
    pass: decodeURIComponent(parsed.password),
  };
}

/** The address without display name, lower-cased. */
export function normalizeAddress(address: string): string {
  return address.trim().toLowerCase();
}
