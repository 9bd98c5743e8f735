/**
 * Sender authentication done by Olympus itself (OLYMPUS_EMAIL_VERIFY=mailauth): DKIM, SPF and DMARC of the
 * raw mail checked with `mailauth`. The connecting IP, HELO and envelope sender come from the topmost
 * Received header, which our own server added. Verified means DMARC passed (an aligned DKIM signature or
 * an aligned SPF pass); anything else, including a DNS failure, leaves the sender unverified.
 */
import { authenticate, type DNSResolver } from 'mailauth';
import { errorMessage } from '../../common/errors.js';
import type { SenderAuthentication } from './sender-authentication.js';

export interface MailauthOptions {
  /** Our host name, written into the Authentication-Results mailauth builds. */
  mta: string;
  /** DNS lookups (default: the system resolver); tests pass a stub serving their own keys. */
  resolver?: DNSResolver;
  /** The connecting client, when known from elsewhere than the Received header. */
  ip?: string;
  helo?: string;
  sender?: string;
}

export async function verifyWithMailauth(
  source: Buffer | string,
  options: MailauthOptions,
): Promise<SenderAuthentication> {
  try {
    const result = await authenticate(source, {
      trustReceived: true,
      mta: options.mta,
      disableArc: true,
      disableBimi: true,
      ...(options.resolver ? { resolver: options.resolver } : {}),
      ...(options.ip ? { ip: options.ip } : {}),
      ...(options.helo ? { helo: options.helo } : {}),
      ...(options.sender ? { sender: options.sender } : {}),
    });
    const dkim = result.dkim.results?.map((entry) => entry.status.result).join(',') || 'none';
    const spf = result.spf ? result.spf.status.result : 'none';
    const dmarc = result.dmarc ? result.dmarc.status.result : 'none';
    const detail = `dmarc=${dmarc} dkim=${dkim} spf=${spf}`;
    return { verdict: dmarc === 'pass' ? 'verified' : 'unverified', detail };
  } catch (error) {
    return { verdict: 'unverified', detail: `verification failed: ${errorMessage(error)}` };
  }
}
