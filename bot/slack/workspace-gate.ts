/**
 * The first thing the receiver does with a verified request (HTTP or Socket Mode), before the inbox: a
 * request from a team or enterprise Olympus does not serve, delivered for an installation that is not
 * ours, or an event from a channel shared with another organisation (Slack Connect) is acked (200, so
 * Slack does not retry it) and dropped — never stored, never processed — with a warning and one audit
 * event. Options requests are answered here too, with no options: Olympus offers no external select.
 */
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { RefusedRequests } from '../../handlers/access/refused-requests.js';
import { requestOrigin, type RequestOrigin, type StoredRequest } from './payloads.js';
import type { SlackWorkspaces } from './slack-workspaces.js';

export type Respond = (response?: unknown) => Promise<void>;

/** Returns true when the request was answered here and must go no further. */
export type WorkspaceScreen = (request: StoredRequest, respond: Respond) => Promise<boolean>;

export function workspaceScreen(deps: {
  workspaces: SlackWorkspaces;
  refusals: RefusedRequests;
  logger: Logger;
}): WorkspaceScreen {
  const { workspaces, refusals, logger } = deps;
  return async (request, respond) => {
    const origin = requestOrigin(request);
    const reason = refusalOf(workspaces, origin);
    if (reason === null) {
      if (request.kind !== 'options') return false;
      await respond({ options: [] });
      return true;
    }
    await respond();
    const where = {
      teamId: origin.teamId,
      enterpriseId: origin.enterpriseId,
      userId: origin.user?.id ?? null,
      userTeamId: origin.user?.teamId ?? null,
    };
    logger.warn('slack request from outside our workspace dropped', {
      reason,
      kind: request.kind,
      key: request.key,
      ...where,
    });
    await refusals
      .record({ surface: 'slack', reason, key: request.key, kind: request.kind, origin: where })
      .catch((error: unknown) => {
        logger.error('auditing a dropped slack request failed', {
          key: request.key,
          error: errorMessage(error),
        });
      });
    return true;
  };
}

function refusalOf(workspaces: SlackWorkspaces, origin: RequestOrigin): string | null {
  const own = workspaces.refusal(origin.teamId, origin.enterpriseId);
  if (own !== null) return own;
  for (const item of origin.authorizations) {
    // An installation with no team is an org-wide one: its enterprise must be ours.
    const refused = workspaces.refusal(item.teamId ?? origin.teamId, item.enterpriseId);
    if (refused !== null) return `foreign_authorization:${refused}`;
  }
  if (origin.externallyShared) return 'ext_shared_channel';
  return null;
}
