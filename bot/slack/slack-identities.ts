/** Slack users as Olympus identities: configured TO user ids get the TO role; mentions for display. */
import type { Identity, IdentityHandle, Store } from '../../ports/store.js';

export function slackHandle(userId: string): IdentityHandle {
  return { surface: 'slack', externalId: userId };
}

/** `<@U123>` when the identity has a Slack handle, else its display name. */
export function slackMention(identity: Identity): string {
  const handle = identity.handles.find((candidate) => candidate.surface === 'slack');
  return handle ? `<@${handle.externalId}>` : identity.displayName;
}

/** Makes every configured Slack TO an identity with the TO role (admins stay admins). */
export async function ensureTechnicalOperators(store: Store, userIds: string[]): Promise<Identity[]> {
  const operators: Identity[] = [];
  for (const userId of userIds) {
    const identity = await store.identities.ensureByHandle(slackHandle(userId), {
      displayName: userId,
      role: 'to',
    });
    const updated = identity.role === 'client' ? await store.identities.setRole(identity.id, 'to') : identity;
    operators.push(updated ?? identity);
  }
  return operators;
}
