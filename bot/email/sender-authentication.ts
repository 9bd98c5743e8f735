/**
 * Whether a mail's sender is authentic, read only from the Authentication-Results header our own mail
 * server adds (RFC 8601): the topmost one, and only when its authserv-id is ours. Other
 * Authentication-Results headers are the sender's word and count for nothing.
 */
import { headerValues, type HeaderLine } from './loop-guard.js';

export type SenderVerdict = 'verified' | 'unverified' | 'unchecked';

export interface SenderAuthentication {
  verdict: SenderVerdict;
  /** dmarc=… as our server saw it, or why there is no result. */
  detail: string;
}

export function authenticateSender(
  lines: readonly HeaderLine[],
  authservId: string | null,
): SenderAuthentication {
  if (authservId === null) return { verdict: 'unchecked', detail: 'no authserv-id configured' };
  const topmost = headerValues(lines, 'authentication-results')[0];
  if (topmost === undefined) return { verdict: 'unverified', detail: 'no Authentication-Results header' };
  const [id, ...results] = topmost.split(';');
  const server = id?.trim().split(/\s+/)[0]?.toLowerCase();
  if (server !== authservId.toLowerCase()) {
    return { verdict: 'unverified', detail: `topmost Authentication-Results is from ${server ?? '?'}` };
  }
  const dmarc = results
    .map((result) => /^\s*dmarc\s*=\s*([a-z]+)/i.exec(result)?.[1]?.toLowerCase())
    .find((value) => value !== undefined);
  if (dmarc === 'pass') return { verdict: 'verified', detail: 'dmarc=pass' };
  return { verdict: 'unverified', detail: `dmarc=${dmarc ?? 'missing'}` };
}
