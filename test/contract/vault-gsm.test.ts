/**
 * The vault contract against Google Secret Manager: the real @google-cloud/secret-manager client over
 * gRPC, talking to an in-process server built from the package's own service protos
 * (test/support/fake-secret-manager.ts). No Secret Manager emulator exists; this is the closest thing to
 * the real API that runs here. With no credentials and no network it never reaches Google.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as grpc from '@grpc/grpc-js';
import { GoogleSecretManagerVault } from '../../storage/vault/google-secret-manager-vault.js';
import { FakeSecretManager } from '../support/fake-secret-manager.js';
import { describeVaultContract, expectCode } from './vault-contract.js';

let fake: FakeSecretManager;
beforeAll(async () => {
  fake = await FakeSecretManager.start();
});
afterAll(async () => {
  await fake.stop();
});

describeVaultContract('Google Secret Manager (real client, in-process gRPC server)', () => {
  const vault = new GoogleSecretManagerVault({
    projectId: 'olympus-test',
    clientOptions: fake.clientOptions(),
  });
  return Promise.resolve({ vault, close: () => vault.close() });
});

describe('Google Secret Manager vault', () => {
  let vault: GoogleSecretManagerVault;
  beforeAll(() => {
    vault = new GoogleSecretManagerVault({ projectId: 'olympus-test', clientOptions: fake.clientOptions() });
  });
  afterAll(async () => {
    await vault.close();
  });
  const labels = { project: 'p1', purpose: 'test' };

  test('talks to the project the configuration names, and never asks for "latest"', async () => {
    await vault.createSecret('addressing', labels);
    await vault.addVersion('addressing', 'addressing-value');
    await vault.access('addressing', '1');
    const names = fake.requests.map((r) => r.name);
    expect(names).toContain('projects/olympus-test/secrets/addressing/versions/1');
    expect(names.every((name) => name.startsWith('projects/olympus-test'))).toBe(true);
    expect(names.some((name) => name.endsWith('/latest'))).toBe(false);
  });

  test('destroy removes the payload from the service', async () => {
    await vault.createSecret('wiped', labels);
    await vault.addVersion('wiped', 'wiped-canary-value');
    await vault.destroyVersion('wiped', '1');
    expect(fake.storedPayloads().some((p) => p.toString().includes('wiped-canary-value'))).toBe(false);
  });

  test('maps UNAVAILABLE to a retryable VAULT_UNAVAILABLE and PERMISSION_DENIED to a final one', async () => {
    await vault.createSecret('flaky', labels);
    await vault.addVersion('flaky', 'flaky-value');
    fake.failNext('disableSecretVersion', grpc.status.UNAVAILABLE, 'try again');
    const unavailable = await vault.disableVersion('flaky', '1').catch((error: unknown) => error);
    expect(unavailable).toMatchObject({ code: 'VAULT_UNAVAILABLE', retryable: true });
    fake.failNext('getSecret', grpc.status.PERMISSION_DENIED, 'no access');
    const denied = await vault.getSecret('flaky').catch((error: unknown) => error);
    expect(denied).toMatchObject({ code: 'VAULT_UNAVAILABLE', retryable: false });
    fake.failNext('accessSecretVersion', grpc.status.NOT_FOUND, 'gone');
    await expectCode(vault.access('flaky', '1'), 'SECRET_NOT_FOUND');
    expect(await vault.access('flaky', '1')).toBe('flaky-value');
  });

  test('an unreachable service is VAULT_UNAVAILABLE and retryable', async () => {
    const closed = await FakeSecretManager.start();
    const options = closed.clientOptions();
    await closed.stop();
    const offline = new GoogleSecretManagerVault({ projectId: 'olympus-test', clientOptions: options });
    const error = await offline.getSecret('anything').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'VAULT_UNAVAILABLE', retryable: true });
    await offline.close();
  });

  test('lists every version across pages', async () => {
    await vault.createSecret('paged', labels);
    for (let i = 1; i <= 30; i++) await vault.addVersion('paged', `paged-value-${i}`);
    const pagesBefore = fake.requests.filter((r) => r.method === 'listSecretVersions').length;
    const listed = await vault.listVersions('paged');
    expect(fake.requests.filter((r) => r.method === 'listSecretVersions').length - pagesBefore).toBe(2);
    expect(listed.map((v) => v.version)).toEqual(Array.from({ length: 30 }, (_, i) => String(i + 1)));
  });

  test('refuses a malformed project id', () => {
    expect(() => new GoogleSecretManagerVault({ projectId: 'bad/project' })).toThrow(/project id/);
  });
});
