/** Every value that goes through the vault factory's vault is unloggable from then on. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createLogger } from '../../common/logging/logger.js';
import { SecretRedactor } from '../../common/logging/redactor.js';
import { openVault } from '../../storage/vault/open-vault.js';
import { FakeSecretManager } from '../support/fake-secret-manager.js';

function capture(redactor: SecretRedactor) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', format: 'json', redactor, stream }), lines };
}

const labels = { project: 'p1', purpose: 'redaction' };

describe('vault redaction', () => {
  let dataDir: string;
  let fake: FakeSecretManager;
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'olympus-vault-redaction-'));
    fake = await FakeSecretManager.start();
  });
  afterAll(async () => {
    await fake.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test('the local vault: values written earlier and read now never reach a log line, nor the key', async () => {
    const settings = { dataDir, masterKey: null, gcpProjectId: null };
    const writer = capture(new SecretRedactor());
    const first = await openVault(settings, { logger: writer.logger, redactor: new SecretRedactor() });
    expect(first.kind).toBe('local');
    await first.createSecret('canary', labels);
    await first.addVersion('canary', 'canary-value-Hx83!q');
    await first.close();

    // A new process: a fresh redactor that has never seen the value until the vault hands it out.
    const redactor = new SecretRedactor();
    const { logger, lines } = capture(redactor);
    const vault = await openVault(settings, { logger, redactor });
    const value = await vault.access('canary', '1');
    expect(value).toBe('canary-value-Hx83!q');
    logger.info(`using ${value}`);
    logger.warn('tool call', { args: { header: `X-Key ${value}` }, list: [value] });
    logger.error('failed', new Error(`rejected ${value}`));
    await vault.close();

    const key = (await readFile(path.join(dataDir, 'vault', 'master.key'), 'utf8')).trim();
    logger.info(`key is ${key}`);
    const output = lines.join('');
    expect(output).not.toContain('canary-value-Hx83!q');
    expect(output).not.toContain(key);
    expect(output).toContain('[REDACTED]');
    expect(output).toContain('local encrypted vault');
    expect(writer.lines.join('')).toContain('generated a new vault master key');
    expect(writer.lines.join('')).not.toContain(key);
  });

  test('Secret Manager: values written and values read are both registered', async () => {
    const redactor = new SecretRedactor();
    const { logger, lines } = capture(redactor);
    const vault = await openVault(
      { dataDir, masterKey: null, gcpProjectId: 'olympus-test' },
      { logger, redactor, googleClientOptions: fake.clientOptions() },
    );
    expect(vault.kind).toBe('google-secret-manager');
    await vault.createSecret('gsm-canary', labels);
    await vault.addVersion('gsm-canary', 'written-value-Pq77');
    logger.info('wrote written-value-Pq77');

    // A value someone else stored is redacted as soon as it is read.
    const other = await openVault(
      { dataDir, masterKey: null, gcpProjectId: 'olympus-test' },
      { logger, redactor: new SecretRedactor(), googleClientOptions: fake.clientOptions() },
    );
    await other.addVersion('gsm-canary', 'read-value-Zz91');
    await other.close();
    logger.info(`read ${await vault.access('gsm-canary', '2')}`);
    await vault.close();
    const output = lines.join('');
    expect(output).not.toContain('written-value-Pq77');
    expect(output).not.toContain('read-value-Zz91');
  });

  test('a configured master key is registered too', async () => {
    const redactor = new SecretRedactor();
    const { logger, lines } = capture(redactor);
    const masterKey = 'd'.repeat(64);
    const dir = await mkdtemp(path.join(os.tmpdir(), 'olympus-vault-redaction-key-'));
    const vault = await openVault({ dataDir: dir, masterKey, gcpProjectId: null }, { logger, redactor });
    logger.info(`key ${masterKey}`);
    await vault.close();
    await rm(dir, { recursive: true, force: true });
    expect(lines.join('')).not.toContain(masterKey);
  });
});
