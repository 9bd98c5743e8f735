/**
 * The Slack workspaces Olympus serves. The home workspace is the one the bot token belongs to (the team,
 * and enterprise if any, `auth.test` names at start); the allow-list is SLACK_ALLOWED_TEAM_IDS and
 * SLACK_ALLOWED_ENTERPRISE_IDS, by default just the home team and its enterprise. A request is ours when
 * its team is allowed and its enterprise, when it names one, is allowed too.
 *
 * Identities are keyed by workspace and user: a user of the home workspace keeps the bare handle
 * `slack:U…` (the form SLACK_TO_USERS, OLYMPUS_OPERATORS and every stored handle already use), a user of
 * any other team is `slack:T…:U…`, or `slack:E…:T…:U…` with an enterprise. So the same user id arriving
 * from another team is another identity. A user whose own team is not allowed (a Slack Connect guest) is
 * a client at most.
 */
import { OlympusError } from '../../common/errors.js';
import type { IdentityHandle } from '../../ports/domain.js';

export interface SlackWorkspace {
  teamId: string;
  enterpriseId: string | null;
}

/** A Slack user as a request names them: the user id and the user's own team. */
export interface SlackUser {
  id: string;
  teamId: string;
  enterpriseId: string | null;
}

export interface AllowedWorkspaces {
  /** Team ids (T…) whose requests are served; empty: the home team only. */
  teamIds?: readonly string[];
  /** Enterprise ids (E…) a request may name; empty: the home enterprise only (none outside a Grid). */
  enterpriseIds?: readonly string[];
}

export class SlackWorkspaces {
  private current: {
    home: SlackWorkspace;
    teams: ReadonlySet<string>;
    enterprises: ReadonlySet<string>;
  } | null = null;

  constructor(private readonly allowed: AllowedWorkspaces = {}) {}

  /** Sets the home workspace (from `auth.test`); the allow-list defaults to it. */
  bind(home: SlackWorkspace): void {
    const teams = this.allowed.teamIds?.length ? this.allowed.teamIds : [home.teamId];
    const enterprises = this.allowed.enterpriseIds?.length
      ? this.allowed.enterpriseIds
      : home.enterpriseId
        ? [home.enterpriseId]
        : [];
    this.current = { home, teams: new Set(teams), enterprises: new Set(enterprises) };
  }

  get bound(): boolean {
    return this.current !== null;
  }

  get home(): SlackWorkspace {
    return this.state().home;
  }

  /** The allowed team and enterprise ids, for logs. */
  describe(): { teams: string[]; enterprises: string[] } {
    const { teams, enterprises } = this.state();
    return { teams: [...teams], enterprises: [...enterprises] };
  }

  /** Why a team/enterprise pair is not ours, or null when it is (nothing is ours before `bind`). */
  refusal(teamId: string | null, enterpriseId: string | null): 'foreign_team' | 'foreign_enterprise' | null {
    const current = this.current;
    if (current === null || teamId === null || !current.teams.has(teamId)) return 'foreign_team';
    if (enterpriseId !== null && !current.enterprises.has(enterpriseId)) return 'foreign_enterprise';
    return null;
  }

  isHome(user: SlackUser): boolean {
    const { home } = this.state();
    return (
      user.teamId === home.teamId && (user.enterpriseId === null || user.enterpriseId === home.enterpriseId)
    );
  }

  /** The user's own team is on the allow-list (not a Slack Connect guest from elsewhere). */
  isMember(user: SlackUser): boolean {
    return this.refusal(user.teamId, user.enterpriseId) === null;
  }

  /** The identity handle of a Slack user: bare for the home workspace, qualified by team otherwise. */
  handleOf(user: SlackUser): IdentityHandle {
    if (this.isHome(user)) return { surface: 'slack', externalId: user.id };
    const team = user.enterpriseId ? `${user.enterpriseId}:${user.teamId}` : user.teamId;
    return { surface: 'slack', externalId: `${team}:${user.id}` };
  }

  /** A user of the home workspace (configured user ids, user-group members). */
  homeUser(id: string): SlackUser {
    const { home } = this.state();
    return { id, teamId: home.teamId, enterpriseId: home.enterpriseId };
  }

  private state() {
    if (this.current === null) {
      throw new OlympusError('INTERNAL', 'the Slack home workspace is not known before the surface starts');
    }
    return this.current;
  }
}
