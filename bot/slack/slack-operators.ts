/**
 * Who is a Technical Operator on Slack: the configured user ids (SLACK_TO_USERS, stored with the TO role
 * at start) and the members of the configured user group (SLACK_TO_USERGROUP), read with
 * `usergroups.users.list` and cached for a short time. Group members act with the TO role while they are
 * members; their stored role is left as it is, so leaving the group takes the right away again.
 */
import { z } from 'zod';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import type { IdentityDirectory } from '../../handlers/identities/identity-directory.js';
import type { Identity } from '../../ports/domain.js';
import type { SlackWebClient } from './slack-client.js';
import { slackHandle } from './slack-identities.js';

export interface SlackOperatorsOptions {
  identities: Pick<IdentityDirectory, 'findByHandle' | 'ensure'>;
  client: SlackWebClient;
  logger: Logger;
  toUsers: readonly string[];
  toUsergroup: string | null;
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

  async isOperator(userId: string): Promise<boolean> {
    if (this.options.toUsers.includes(userId)) return true;
    return (await this.groupMembers()).has(userId);
  }

  /**
   * The identity that decides for this Slack user: the stored one, acting as a TO while the user is in
   * the TO group. Null for a user Olympus does not know who is not in the group.
   */
  async decider(userId: string): Promise<Identity | null> {
    const { identities } = this.options;
    const stored = await identities.findByHandle(slackHandle(userId));
    if (stored !== null && stored.role !== 'client') return stored;
    if (!(await this.groupMembers()).has(userId)) return stored;
    const identity = stored ?? (await identities.ensure(slackHandle(userId), { displayName: userId }));
    return { ...identity, role: 'to' };
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
