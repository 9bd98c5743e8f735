/** A client names their time zone ("my time zone is Europe/Berlin"): scheduled digests follow it. */
import { canonicalTimeZone } from '../../common/time-zone.js';
import type { Store } from '../../ports/store.js';

export { canonicalTimeZone } from '../../common/time-zone.js';

/** Stores the identity's time zone; returns Hermes's answer. */
export async function setTimeZone(store: Store, identityId: string, name: string): Promise<string> {
  const zone = canonicalTimeZone(name);
  if (zone === null) {
    return `I don't know the time zone "${name}". Name it like Europe/Berlin, America/New_York or UTC.`;
  }
  await store.identities.setTimezone(identityId, zone);
  await store.audit.append({
    actor: identityId,
    action: 'identity.timezone_set',
    subjectType: 'identity',
    subjectId: identityId,
    data: { timezone: zone },
  });
  return `Noted: your time zone is ${zone}. Daily status digests arrive at the scheduled hour there.`;
}
