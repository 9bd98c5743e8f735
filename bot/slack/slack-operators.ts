/**
 * Who is a Technical Operator on Slack: the configured user ids (SLACK_TO_USERS, stored with the TO role
 * at start) and the members of the configured user group (SLACK_TO_USERGROUP), read with
 * `usergroups.users.list` and cached for a short time. Group members act with the TO role while they are
 * members; their stored role is left as it is, so leaving the group takes the right away again.
 * Both name users of the home workspace only: the same user id from another team is another identity
 * (slack-workspaces.ts), and a user whose own team is not on the allow-list (a Slack Connect guest) is
 * never more than a client, whatever is stored.
 */
import { z } from 'zod';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { IdentityDirectory } from '../../handlers/identities/identity-directory.js';
import type { Identity } from '../../ports/domain.js';
import type { SlackWebClient } from './slack-client.js';
import type { SlackUser, SlackWorkspaces } from './slack-workspaces.js';

export interface SlackOperatorsOptions {
  identities: Pick<IdentityDirectory, 'findByHandle' | 'ensure'>;
  client: SlackWebClient;
  logger: Logger;
  toUsers: readonly string[];
  toUsergroup: string | null;
  /** Home workspace and allow-list: whose handle a user id is. */
  workspaces: SlackWorkspaces;
  /** Default 60000 ms. */
  ttlMs?: number;
  now?: () => number;
}

const membersAnswer = z.object({ users: z.array(z.string()).default([]) }).loose();

export class SlackOperators {
  private cache: { members: ReadonlySet<string>; until: number } | null = null;
  private loading: Promise<ReadonlySet<string>> | null = null;

  constructor(private readonly options: SlackOperatorsOptions) {}

  /** Members of the TO user group (empty without one); cached, and kept when a refresh fails. */
  async groupMembers(): Promise<ReadonlySet<string>> {
    const { toUsergroup } = this.options;
    if (!toUsergroup) return new Set();
    const now = (this.options.now ?? Date.now)();
    if (this.cache !== null && this.cache.until > now) return this.cache.members;
    this.loading ??= this.load(toUsergroup).finally(() => {
      this.loading = null;
    });
    return this.loading;
  }

  async isOperator(user: SlackUser): Promise<boolean> {
    if (!this.options.workspaces.isHome(user)) return false;
    if (this.options.toUsers.includes(user.id)) return true;
    return (await this.groupMembers()).has(user.id);
  }

  /**
   * The identity that decides for this Slack user: the stored one, acting as a TO while a home user is
   * in the TO group; a guest from a team not on the allow-list acts as a client. Null for a user Olympus
   * does not know who is not in the group.
   */
  async decider(user: SlackUser): Promise<Identity | null> {
    const { identities, workspaces } = this.options;
    const handle = workspaces.handleOf(user);
    const stored = await identities.findByHandle(handle);
    if (!workspaces.isMember(user)) return stored && { ...stored, role: 'client' };
    if (stored !== null && stored.role !== 'client') return stored;
    if (!workspaces.isHome(user) || !(await this.groupMembers()).has(user.id)) return stored;
    const identity = stored ?? (await identities.ensure(handle, { displayName: user.id }));
    return { ...identity, role: 'to' };
  }

  /** How a decision by this user is labelled (`slack:U…`, `slack:T…:U…` for another team). */
  label(user: SlackUser): string {
    return `slack:${this.options.workspaces.handleOf(user).externalId}`;
  }

  private async load(usergroup: string): Promise<ReadonlySet<string>> {
    const { client, logger } = this.options;
    try {
      const answer = membersAnswer.parse(await client.usergroups.users.list({ usergroup }));
      const members = new Set(answer.users);
      const now = (this.options.now ?? Date.now)();
      this.cache = { members, until: now + (this.options.ttlMs ?? 60_000) };
      return members;
    } catch (error) {
      logger.warn('reading the TO user group failed', { usergroup, error: errorMessage(error) });
      return this.cache?.members ?? new Set();
    }
  }
}
