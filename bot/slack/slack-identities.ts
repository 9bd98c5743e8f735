/** Slack users as Olympus identities: the handle of a Slack user id, and mentions for display. */
import type { Identity, IdentityHandle } from '../../ports/domain.js';

export function slackHandle(userId: string): IdentityHandle {
  return { surface: 'slack', externalId: userId };
}

/** `<@U123>` when the identity has a Slack handle, else its display name. */
export function slackMention(identity: Identity): string {
  const handle = identity.handles.find((candidate) => candidate.surface === 'slack');
  return handle ? `<@${handle.externalId}>` : identity.displayName;
}
