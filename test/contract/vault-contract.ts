/**
 * The vault contract: one suite, run against every vault adapter: the local encrypted vault on files
 * (vault-local.test.ts) and on a shared store (vault-store.test.ts: PostgreSQL, MongoDB), and Google Secret
 * Manager (vault-gsm.test.ts).
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { ErrorCode } from '../../common/errors.js';
import type { SecretLabels, Vault } from '../../ports/vault.js';

export interface VaultFixture {
  vault: Vault;
  close(): Promise<void>;
}

export async function expectCode(promise: Promise<unknown>, code: ErrorCode): Promise<void> {
  let caught: unknown = null;
  try {
    await promise;
  } catch (error) {
    caught = error;
  }
  expect(caught).not.toBeNull();
  expect((caught as { code?: unknown }).code).toBe(code);
}

const labels = { project: '0b6f1c2e-8a8e-4e0e-9d61-3f7a2d1c9b10', purpose: 'slack-bot-token' };

export function describeVaultContract(label: string, makeVault: () => Promise<VaultFixture>): void {
  describe(`vault contract: ${label}`, () => {
    let fixture: VaultFixture;
    let vault: Vault;
    const fresh = (): string => `s-${randomBytes(6).toString('hex')}`;
    const secretWith = async (...values: string[]): Promise<{ name: string; versions: string[] }> => {
      const name = fresh();
      await vault.createSecret(name, labels);
      const versions: string[] = [];
      for (const value of values) versions.push(await vault.addVersion(name, value));
      return { name, versions };
    };

    beforeAll(async () => {
      fixture = await makeVault();
      vault = fixture.vault;
    });
    afterAll(async () => {
      await fixture?.close();
    });

    test('creates a secret with its labels, once', async () => {
      const name = fresh();
      const created = await vault.createSecret(name, { ...labels, owner: 'apollo' });
      expect(created).toMatchObject({ name, labels: { ...labels, owner: 'apollo' } });
      const read = await vault.getSecret(name);
      expect(read.labels).toEqual({ ...labels, owner: 'apollo' });
      expect(read.createdAt.getTime()).toBeGreaterThan(Date.now() - 60_000);
      await expectCode(vault.createSecret(name, labels), 'SECRET_EXISTS');
    });

    test('adds versions in order and reads each pinned version', async () => {
      const { name, versions } = await secretWith('first-value-1', 'second-value-2');
      expect(versions).toEqual(['1', '2']);
      expect(await vault.access(name, '1')).toBe('first-value-1');
      expect(await vault.access(name, '2')).toBe('second-value-2');
    });

    test('refuses "latest" and anything that is not a pinned version id', async () => {
      const { name } = await secretWith('pinned-only-value');
      for (const version of ['latest', 'LATEST', ' latest', '0', '01', '1.0', '-1', '', 'v1']) {
        await expectCode(vault.access(name, version), 'VALIDATION');
      }
      await expectCode(vault.disableVersion(name, 'latest'), 'VALIDATION');
      await expectCode(vault.destroyVersion(name, 'latest'), 'VALIDATION');
    });

    test('unknown secrets and versions are SECRET_NOT_FOUND', async () => {
      const missing = fresh();
      await expectCode(vault.access(missing, '1'), 'SECRET_NOT_FOUND');
      await expectCode(vault.getSecret(missing), 'SECRET_NOT_FOUND');
      await expectCode(vault.addVersion(missing, 'value-for-nobody'), 'SECRET_NOT_FOUND');
      await expectCode(vault.listVersions(missing), 'SECRET_NOT_FOUND');
      const { name } = await secretWith('only-one-version');
      await expectCode(vault.access(name, '2'), 'SECRET_NOT_FOUND');
      await expectCode(vault.disableVersion(name, '7'), 'SECRET_NOT_FOUND');
    });

    test('a disabled version cannot be read until it is enabled again', async () => {
      const { name } = await secretWith('disable-me-value', 'still-readable');
      await vault.disableVersion(name, '1');
      await expectCode(vault.access(name, '1'), 'SECRET_DISABLED');
      expect(await vault.access(name, '2')).toBe('still-readable');
      await vault.disableVersion(name, '1'); // idempotent
      await vault.enableVersion(name, '1');
      expect(await vault.access(name, '1')).toBe('disable-me-value');
    });

    test('a destroyed version is gone for good', async () => {
      const { name } = await secretWith('destroy-me-value', 'keep-me-value');
      await vault.destroyVersion(name, '1');
      await expectCode(vault.access(name, '1'), 'SECRET_DESTROYED');
      await expectCode(vault.enableVersion(name, '1'), 'SECRET_DESTROYED');
      await expectCode(vault.disableVersion(name, '1'), 'SECRET_DESTROYED');
      await vault.destroyVersion(name, '1'); // destroying twice is a no-op
      expect(await vault.access(name, '2')).toBe('keep-me-value');
    });

    test('lists versions with state and metadata, never values', async () => {
      const values = ['list-value-aaa', 'list-value-bbb', 'list-value-ccc'];
      const { name } = await secretWith(...values);
      await vault.disableVersion(name, '2');
      await vault.destroyVersion(name, '3');
      const listed = await vault.listVersions(name);
      expect(listed.map((v) => [v.version, v.state])).toEqual([
        ['1', 'enabled'],
        ['2', 'disabled'],
        ['3', 'destroyed'],
      ]);
      for (const info of listed) {
        expect(info.secret).toBe(name);
        expect(info.createdAt).toBeInstanceOf(Date);
        expect(Object.keys(info).sort()).toEqual(['createdAt', 'destroyedAt', 'secret', 'state', 'version']);
      }
      expect(listed[2]!.destroyedAt).toBeInstanceOf(Date);
      expect(listed[0]!.destroyedAt).toBeNull();
      const text = JSON.stringify([listed, await vault.getSecret(name)]);
      for (const value of values) expect(text).not.toContain(value);
    });

    test('keeps unicode and 64 KiB values exactly; refuses larger ones', async () => {
      const unicode = 'päss wörd 🔑 密码 \u200b\n\ttab "quoted" \\ end';
      const big =
        randomBytes(49_152)
          .toString('base64')
          .slice(0, 65_536 - 4) + '🔑';
      expect(Buffer.byteLength(big)).toBe(65_536);
      const { name } = await secretWith(unicode, big);
      expect(await vault.access(name, '1')).toBe(unicode);
      expect(await vault.access(name, '2')).toBe(big);
      await expectCode(vault.addVersion(name, `${big}x`), 'VALIDATION');
    });

    test('validates names and labels before anything is stored', async () => {
      for (const bad of ['', 'has space', 'slash/name', 'dot.name', 'x'.repeat(256)]) {
        await expectCode(vault.createSecret(bad, labels), 'VALIDATION');
        await expectCode(vault.access(bad, '1'), 'VALIDATION');
      }
      const name = fresh();
      const badLabels: SecretLabels[] = [
        { project: '', purpose: 'x' },
        { project: 'p', purpose: 'Upper' },
        { project: 'p', purpose: 'x', '1key': 'v' },
        { project: 'p', purpose: 'x', Key: 'v' },
        { project: 'p', purpose: 'x'.repeat(64) },
        { project: 'p', purpose: 'has space' },
      ];
      for (const bad of badLabels) await expectCode(vault.createSecret(name, bad), 'VALIDATION');
      await expectCode(vault.createSecret(name, { purpose: 'x' } as never), 'VALIDATION');
      await expectCode(vault.getSecret(name), 'SECRET_NOT_FOUND');
    });
  });
}
