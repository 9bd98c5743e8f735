import { describe, expect, test } from '@jest/globals';
import { ACTIONS, evaluate, type Action, type Actor } from '../../handlers/access/policy.js';

const OWN = 'project-own';
const OTHER = 'project-other';
const client: Actor = { kind: 'person', identityId: 'client-1', role: 'client' };
const to: Actor = { kind: 'person', identityId: 'to-1', role: 'to' };
const admin: Actor = { kind: 'person', identityId: 'admin-1', role: 'admin' };
const agent: Actor = { kind: 'agent', agent: 'apollo', projectId: OWN, taskId: 'task-1' };

/** The design's four access layers: what each may do on its own (or assigned) project and on another's. */
const EXPECTED: Record<
  Action,
  { client: [boolean, boolean]; agent: [boolean, boolean]; to: boolean; admin: boolean }
> = {
  'project.read': { client: [true, false], agent: [true, false], to: true, admin: true },
  'project.list_all': { client: [false, false], agent: [false, false], to: true, admin: true },
  'requirements.write': { client: [true, false], agent: [false, false], to: false, admin: true },
  'feedback.write': { client: [true, false], agent: [false, false], to: false, admin: true },
  'deliverables.read': { client: [true, false], agent: [false, false], to: true, admin: true },
  'workspace.read': { client: [false, false], agent: [true, false], to: false, admin: true },
  'workspace.write': { client: [false, false], agent: [true, false], to: false, admin: true },
  'metrics.read': { client: [false, false], agent: [false, false], to: true, admin: true },
  'audit.read': { client: [false, false], agent: [false, false], to: true, admin: true },
  'credential.write': { client: [false, false], agent: [false, false], to: true, admin: true },
  'credential.use': { client: [false, false], agent: [false, false], to: false, admin: true },
  'checkpoint.decide': { client: [false, false], agent: [false, false], to: true, admin: true },
  'deploy.execute': { client: [false, false], agent: [false, false], to: true, admin: true },
  'budget.change': { client: [false, false], agent: [false, false], to: false, admin: true },
  'spend.approve': { client: [false, false], agent: [false, false], to: true, admin: true },
  'identity.manage': { client: [false, false], agent: [false, false], to: false, admin: true },
};

describe('access matrix: role × action', () => {
  test('the matrix covers every action', () => {
    expect(Object.keys(EXPECTED).sort()).toEqual([...ACTIONS].sort());
  });

  for (const action of ACTIONS) {
    const expected = EXPECTED[action];
    test(`${action}`, () => {
      expect(evaluate(client, action, { projectId: OWN, ownerId: 'client-1' }).allowed).toBe(
        expected.client[0],
      );
      expect(evaluate(client, action, { projectId: OTHER, ownerId: 'someone-else' }).allowed).toBe(
        expected.client[1],
      );
      expect(evaluate(agent, action, { projectId: OWN }).allowed).toBe(expected.agent[0]);
      expect(evaluate(agent, action, { projectId: OTHER }).allowed).toBe(expected.agent[1]);
      expect(evaluate(to, action, { projectId: OTHER, ownerId: 'someone-else' }).allowed).toBe(expected.to);
      expect(evaluate(admin, action, { projectId: OTHER }).allowed).toBe(expected.admin);
    });
  }

  test('own-project rules need the owner to be known: missing resource facts deny', () => {
    expect(evaluate(client, 'project.read').allowed).toBe(false);
    expect(evaluate(agent, 'workspace.write').allowed).toBe(false);
    expect(evaluate(client, 'project.read', { projectId: OWN, ownerId: 'client-1' }).reason).toContain(
      'own project',
    );
  });
});
