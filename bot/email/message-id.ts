/** The fixed Message-ID of an outgoing mail, derived from its effect id: a resend is the same message. */
import { createHash } from 'node:crypto';
import { splitAddress } from './addresses.js';

export function effectMessageId(effectId: string, address: string): string {
  const domain = splitAddress(address)?.domain ?? 'olympus.invalid';
  const digest = createHash('sha256').update(effectId).digest('hex').slice(0, 32);
  return `<${digest}.olympus@${domain}>`;
}
