/**
 * Slack identities keyed by workspace: the home workspace's users keep their bare `slack:U…` handles,
 * users of other teams are qualified by team (and enterprise); the allow-list defaults to the home team
 * and enterprise; handles written as text accept both forms.
 */
import { describe, expect, test } from '@jest/globals';
import { SlackWorkspaces } from '../../bot/slack/slack-workspaces.js';
import { parseHandle } from '../../handlers/identities/handle-text.js';

describe('Slack workspaces', () => {
  test('nothing is ours before the home workspace is known', () => {
    const workspaces = new SlackWorkspaces();
    expect(workspaces.refusal('T0001', null)).toBe('foreign_team');
    expect(() => workspaces.home).toThrow(/not known/);
  });

  test('the allow-list defaults to the home team and its enterprise', () => {
    const workspaces = new SlackWorkspaces();
    workspaces.bind({ teamId: 'T0001', enterpriseId: 'E0ORG' });
    expect(workspaces.refusal('T0001', null)).toBeNull();
    expect(workspaces.refusal('T0001', 'E0ORG')).toBeNull();
    expect(workspaces.refusal('T0001', 'E0EVIL')).toBe('foreign_enterprise');
    expect(workspaces.refusal('T0OTHER', 'E0ORG')).toBe('foreign_team');
  });

  test('a configured allow-list replaces the default', () => {
    const workspaces = new SlackWorkspaces({ teamIds: ['T0001', 'T0PARTNER'] });
    workspaces.bind({ teamId: 'T0001', enterpriseId: null });
    expect(workspaces.refusal('T0PARTNER', null)).toBeNull();
    expect(workspaces.refusal('T0PARTNER', 'E0ANY')).toBe('foreign_enterprise');
    expect(workspaces.describe()).toEqual({ teams: ['T0001', 'T0PARTNER'], enterprises: [] });
  });

  test('handles: bare for the home workspace, qualified by team and enterprise otherwise', () => {
    const workspaces = new SlackWorkspaces({ teamIds: ['T0001', 'T0PARTNER'] });
    workspaces.bind({ teamId: 'T0001', enterpriseId: null });
    const handle = (teamId: string, enterpriseId: string | null = null) =>
      workspaces.handleOf({ id: 'U0TOA', teamId, enterpriseId }).externalId;
    expect(handle('T0001')).toBe('U0TOA');
    expect(handle('T0PARTNER')).toBe('T0PARTNER:U0TOA');
    expect(handle('T0GUEST', 'E0GUEST')).toBe('E0GUEST:T0GUEST:U0TOA');
    expect(workspaces.isMember({ id: 'U0TOA', teamId: 'T0PARTNER', enterpriseId: null })).toBe(true);
    expect(workspaces.isMember({ id: 'U0TOA', teamId: 'T0GUEST', enterpriseId: null })).toBe(false);
  });

  test('handles written as text take either form', () => {
    expect(parseHandle('slack:U0TOA')).toEqual({ surface: 'slack', externalId: 'U0TOA' });
    expect(parseHandle('slack:T0PARTNER:U0TOA')).toEqual({ surface: 'slack', externalId: 'T0PARTNER:U0TOA' });
    expect(parseHandle('slack:E0ORG:T0TEAM:W0USER').externalId).toBe('E0ORG:T0TEAM:W0USER');
    expect(() => parseHandle('slack:T0PARTNER:')).toThrow();
    expect(() => parseHandle('slack:X0:U0TOA')).toThrow();
  });
});
