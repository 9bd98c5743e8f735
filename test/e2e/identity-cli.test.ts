/**
 * `olympus identities link` against a real `olympus start` (built dist/) on a PostgreSQL the test also
 * reads: an administrator links a Discord user to a client known by email; the Discord identity, left
 * without handles, is merged in. Bad input gets a clear error and exit code 1.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { findFreePort } from '../../storage/free-port.js';
import {
  TEST_MASTER_KEY,
  cleanEnv,
  runCli,
  startCli,
  waitForStatus,
  type Running,
} from '../support/cli-process.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';

let db: EmbeddedStore;
let running: Running;
let env: NodeJS.ProcessEnv;
const cwd = mkdtempSync(path.join(tmpdir(), 'olympus-identities-'));
chmodSync(cwd, 0o755);

beforeAll(async () => {
  db = await startEmbeddedStore();
  const port = await findFreePort();
  env = cleanEnv({
    OLYMPUS_HTTP_PORT: String(port),
    DATABASE_URL: db.connectionString,
    OLYMPUS_MASTER_KEY: TEST_MASTER_KEY,
  });
  running = startCli(['start'], { env, cwd });
  await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 60_000, running);
}, 120_000);

afterAll(async () => {
  if (running && running.child.exitCode === null) {
    running.child.kill('SIGTERM');
    await running.exited;
  }
  await db?.teardown();
});

describe('olympus identities link', () => {
  test('links a Discord user to the email client and merges the Discord identity', async () => {
    const alice = await db.store.identities.create({
      displayName: 'Alice',
      handles: [{ surface: 'email', externalId: 'alice@example.com' }],
    });
    const discordOnly = await db.store.identities.create({
      displayName: 'alice#discord',
      handles: [{ surface: 'discord', externalId: '123456789012345678' }],
    });
    const conversation = await db.store.conversations.ensure('discord', '300000000000000009', discordOnly.id);

    const linked = await runCli(
      ['identities', 'link', 'email:alice@example.com', 'discord:123456789012345678'],
      {
        env,
        cwd,
      },
    );
    expect(linked.code).toBe(0);
    expect(linked.stdout).toContain(
      `Alice (${alice.id}): email:alice@example.com, discord:123456789012345678`,
    );
    expect(linked.stdout).toContain(`merged identity ${discordOnly.id}`);
    expect(
      (await db.store.identities.findByHandle({ surface: 'discord', externalId: '123456789012345678' }))?.id,
    ).toBe(alice.id);
    expect((await db.store.conversations.get(conversation.id))?.identityId).toBe(alice.id);
    const audit = await db.store.audit.list({ subjectId: alice.id });
    expect(audit.find((event) => event.action === 'identity.linked')?.data).toMatchObject({
      handle: 'discord:123456789012345678',
      merged: true,
      by: 'admin',
    });

    const json = JSON.parse(
      (await runCli(['identities', 'link', alice.id, 'slack:U0ALICE', '--json'], { env, cwd })).stdout,
    ) as { identity: { handles: unknown[] }; merged: boolean };
    expect(json.identity.handles).toContainEqual({ surface: 'slack', externalId: 'U0ALICE' });
    expect(json.merged).toBe(false);
  }, 60_000);

  test('an unknown identity and a malformed handle are refused with a clear message', async () => {
    const unknown = await runCli(['identities', 'link', 'email:nobody@example.com', 'discord:1234567'], {
      env,
      cwd,
    });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no identity email:nobody@example.com');
    const bad = await runCli(['identities', 'link', 'email:alice@example.com', 'discord:abc'], { env, cwd });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('not a valid discord handle');
  }, 60_000);
});
