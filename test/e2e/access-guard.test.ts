import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { hasCode } from '../../common/errors.js';
import { AccessGuard } from '../../handlers/access/access-guard.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';

describe('access guard', () => {
  let db: EmbeddedStore;
  beforeAll(async () => {
    db = await startEmbeddedStore();
  });
  afterAll(async () => {
    await db.teardown();
  });

  test('every denial is audited; allowed actions leave no denial behind', async () => {
    const guard = new AccessGuard(db.store.audit);
    const client = { kind: 'person' as const, identityId: 'client-7', role: 'client' as const };
    await guard.require(client, 'project.read', { projectId: 'p-1', ownerId: 'client-7' });
    const denied = await guard
      .require(client, 'checkpoint.decide', { projectId: 'p-1' })
      .catch((error: unknown) => error);
    expect(hasCode(denied, 'FORBIDDEN')).toBe(true);
    const agent = { kind: 'agent' as const, agent: 'hephaestus' as const, projectId: 'p-1', taskId: 't-9' };
    expect((await guard.check(agent, 'deploy.execute', { projectId: 'p-1' })).allowed).toBe(false);

    const events = (await db.store.audit.list({ subjectId: 'p-1' })).filter(
      (e) => e.action === 'access.denied',
    );
    expect(events.map((e) => [e.actor, e.data.action])).toEqual([
      ['identity:client-7', 'checkpoint.decide'],
      ['agent:hephaestus:t-9', 'deploy.execute'],
    ]);
    expect((await db.store.audit.verify()).ok).toBe(true);
  });
});
