/**
 * Roles by configuration (`OLYMPUS_OPERATORS`, `OLYMPUS_ADMINS`): handles on every surface, validated at
 * load time with a clear error, applied to the store (created if new, raised, never lowered, audited).
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { loadConfig } from '../../bot/config/load-config.js';
import { hasCode } from '../../common/errors.js';
import { applyRoleMap } from '../../handlers/access/role-map.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';

let db: EmbeddedStore;
beforeAll(async () => {
  db = await startEmbeddedStore();
});
afterAll(async () => {
  await db?.teardown();
});

function configError(env: Record<string, string>): string {
  try {
    loadConfig({ env, cwd: '/nonexistent-olympus' });
  } catch (error) {
    if (hasCode(error, 'CONFIG_INVALID')) return (error as Error).message;
    throw error;
  }
  throw new Error('configuration was accepted');
}

describe('role map', () => {
  test('handles on every surface are parsed; email addresses are lower-cased', () => {
    const config = loadConfig({
      env: {
        OLYMPUS_OPERATORS: 'slack:U0TO1, discord:123456789012, email:Ops@Example.COM',
        OLYMPUS_ADMINS: 'console:root',
      },
      cwd: '/nonexistent-olympus',
    });
    expect(config.access.operators).toEqual([
      { surface: 'slack', externalId: 'U0TO1' },
      { surface: 'discord', externalId: '123456789012' },
      { surface: 'email', externalId: 'ops@example.com' },
    ]);
    expect(config.access.admins).toEqual([{ surface: 'console', externalId: 'root' }]);
    expect(loadConfig({ env: {}, cwd: '/nonexistent-olympus' }).access).toEqual({
      operators: [],
      admins: [],
    });
  });

  test('a bad handle names the variable and the handle', () => {
    expect(configError({ OLYMPUS_OPERATORS: 'slack:U0TO1, teams:abc' })).toMatch(
      /OLYMPUS_OPERATORS.*"teams:abc" must start with one of slack:, discord:, email:, console:/s,
    );
    expect(configError({ OLYMPUS_ADMINS: 'discord:not-a-number' })).toMatch(
      /OLYMPUS_ADMINS.*"discord:not-a-number" is not a valid discord id/s,
    );
  });

  test('applied to the store: new identities created, roles raised and audited, never lowered', async () => {
    const store = db.store;
    const client = await store.identities.create({
      displayName: 'Carl',
      handles: [{ surface: 'discord', externalId: '55555555' }],
    });
    const admin = await store.identities.create({
      displayName: 'Ada',
      role: 'admin',
      handles: [{ surface: 'slack', externalId: 'U0ADA' }],
    });
    const touched = await applyRoleMap(store, {
      operators: [
        { surface: 'discord', externalId: '55555555' },
        { surface: 'slack', externalId: 'U0ADA' },
        { surface: 'email', externalId: 'new-to@example.com' },
      ],
      admins: [{ surface: 'console', externalId: 'root' }],
    });
    expect(touched).toHaveLength(4);
    expect((await store.identities.get(client.id))?.role).toBe('to');
    expect((await store.identities.get(admin.id))?.role).toBe('admin');
    const created = await store.identities.findByHandle({
      surface: 'email',
      externalId: 'new-to@example.com',
    });
    expect(created?.role).toBe('to');
    expect((await store.identities.findByHandle({ surface: 'console', externalId: 'root' }))?.role).toBe(
      'admin',
    );
    const audited = (await store.audit.list({ subjectId: client.id })).filter(
      (event) => event.action === 'identity.role_configured',
    );
    expect(audited.map((event) => event.data)).toEqual([
      { handle: 'discord:55555555', from: 'client', to: 'to' },
    ]);
    // Applying the same map again changes nothing and audits nothing more.
    await applyRoleMap(store, { operators: [{ surface: 'discord', externalId: '55555555' }], admins: [] });
    expect(
      (await store.audit.list({ subjectId: client.id })).filter(
        (event) => event.action === 'identity.role_configured',
      ),
    ).toHaveLength(1);
  });
});
