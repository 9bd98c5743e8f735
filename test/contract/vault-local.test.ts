/** The vault contract and the local vault's own promises: key handling, tamper detection, file modes. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, test } from '@jest/globals';
import { createLogger, createSilentLogger } from '../../common/logging/logger.js';
import { SecretRedactor } from '../../common/logging/redactor.js';
import { LocalEncryptedVault } from '../../storage/vault/local-encrypted-vault.js';
import { describeVaultContract, expectCode } from './vault-contract.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'olympus-vault-'));
  dirs.push(dir);
  return dir;
}
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

function capturingLogger(): { logger: ReturnType<typeof createLogger>; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return {
    logger: createLogger({ level: 'debug', format: 'json', redactor: new SecretRedactor(), stream }),
    lines,
  };
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

const labels = { project: 'p1', purpose: 'test' };

describeVaultContract('local encrypted vault', async () => {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'olympus-vault-contract-'));
  const vault = await LocalEncryptedVault.open({
    dataDir,
    masterKey: randomBytes(32).toString('hex'),
    logger: createSilentLogger(),
  });
  return {
    vault,
    async close() {
      await vault.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
});

describe('local encrypted vault', () => {
  test('generates a 0600 key file on first start, warns without the key, and reuses it', async () => {
    const dataDir = await tempDir();
    const { logger, lines } = capturingLogger();
    const vault = await LocalEncryptedVault.open({ dataDir, masterKey: null, logger });
    const keyFile = path.join(dataDir, 'vault', 'master.key');
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect((await stat(path.join(dataDir, 'vault'))).mode & 0o777).toBe(0o700);
    const key = (await readFile(keyFile, 'utf8')).trim();
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    const warnings = lines.map((line) => JSON.parse(line) as { level: string; message: string });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.level).toBe('warn');
    expect(warnings[0]!.message).toContain(keyFile);
    expect(lines.join('')).not.toContain(key);
    await vault.createSecret('kept', labels);
    await vault.addVersion('kept', 'survives-restart');
    await vault.close();

    const again = await LocalEncryptedVault.open({ dataDir, masterKey: null, logger });
    expect(await again.access('kept', '1')).toBe('survives-restart');
    expect(lines).toHaveLength(1); // no second warning: the key was reused
    await again.close();
  });

  test('a wrong master key is a clear VAULT_KEY_INVALID error, never garbage', async () => {
    const dataDir = await tempDir();
    const vault = await LocalEncryptedVault.open({
      dataDir,
      masterKey: randomBytes(32).toString('hex'),
      logger: createSilentLogger(),
    });
    await vault.createSecret('s', labels);
    await vault.addVersion('s', 'value-under-key-one');
    await vault.close();
    const wrong = LocalEncryptedVault.open({
      dataDir,
      masterKey: randomBytes(32).toString('base64'),
      logger: createSilentLogger(),
    });
    await expectCode(wrong, 'VAULT_KEY_INVALID');
    await expect(wrong).rejects.toThrow(/wrong vault master key.*OLYMPUS_MASTER_KEY/);
    await expectCode(
      LocalEncryptedVault.open({ dataDir, masterKey: 'not-a-key', logger: createSilentLogger() }),
      'VAULT_KEY_INVALID',
    );
  });

  test('tampered or swapped ciphertext fails authentication', async () => {
    const dataDir = await tempDir();
    const open = () =>
      LocalEncryptedVault.open({ dataDir, masterKey: 'a'.repeat(64), logger: createSilentLogger() });
    const vault = await open();
    for (const name of ['alpha', 'beta']) {
      await vault.createSecret(name, labels);
      await vault.addVersion(name, `${name}-value-1`);
      await vault.addVersion(name, `${name}-value-2`);
    }
    const versionFile = (name: string, v: string) =>
      path.join(dataDir, 'vault', 'secrets', name, 'versions', `${v}.json`);

    // One flipped bit in the ciphertext.
    const stored = JSON.parse(await readFile(versionFile('alpha', '1'), 'utf8')) as {
      sealed: { ciphertext: string };
    };
    const bytes = Buffer.from(stored.sealed.ciphertext, 'base64');
    bytes[0] = bytes[0]! ^ 1;
    await writeFile(
      versionFile('alpha', '1'),
      JSON.stringify({ ...stored, sealed: { ...stored.sealed, ciphertext: bytes.toString('base64') } }),
    );
    await expectCode(vault.access('alpha', '1'), 'VAULT_INTEGRITY');

    // A valid file moved to another secret, and to another version of the same secret.
    await writeFile(versionFile('beta', '1'), await readFile(versionFile('alpha', '2')));
    await expectCode(vault.access('beta', '1'), 'VAULT_INTEGRITY');
    await writeFile(versionFile('beta', '2'), await readFile(versionFile('alpha', '2')));
    await expectCode(vault.access('beta', '2'), 'VAULT_INTEGRITY');

    // A damaged file is an integrity error too, not a crash.
    await writeFile(versionFile('alpha', '2'), '{"state":');
    await expectCode(vault.access('alpha', '2'), 'VAULT_INTEGRITY');
    await vault.close();
  });

  test('no value is ever in plaintext on disk; files 0600, directories 0700; destroy wipes', async () => {
    const dataDir = await tempDir();
    const vault = await LocalEncryptedVault.open({ dataDir, masterKey: null, logger: createSilentLogger() });
    const values = ['plain-canary-Q7v9x1', 'ünïcødé-canary-🔑', 'destroyed-canary-ZZ42'];
    await vault.createSecret('canary', labels);
    for (const value of values) await vault.addVersion('canary', value);
    await vault.destroyVersion('canary', '3');
    const files = await filesUnder(path.join(dataDir, 'vault'));
    expect(files.length).toBeGreaterThanOrEqual(5);
    for (const file of files) {
      const raw = await readFile(file);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      for (const value of values) {
        expect(raw.includes(Buffer.from(value))).toBe(false);
        expect(raw.toString('latin1').includes(Buffer.from(value).toString('base64'))).toBe(false);
      }
    }
    const entries = await readdir(path.join(dataDir, 'vault'), { recursive: true, withFileTypes: true });
    for (const entry of entries.filter((e) => e.isDirectory()))
      expect((await stat(path.join(entry.parentPath, entry.name))).mode & 0o777).toBe(0o700);
    const tombstone = JSON.parse(
      await readFile(path.join(dataDir, 'vault/secrets/canary/versions/3.json'), 'utf8'),
    );
    expect(tombstone).toMatchObject({ state: 'destroyed', sealed: null });
    expect(files.some((file) => file.endsWith('.tmp'))).toBe(false);
    await vault.close();
  });

  test('concurrent writers get distinct version ids', async () => {
    const dataDir = await tempDir();
    const masterKey = 'b'.repeat(64);
    const a = await LocalEncryptedVault.open({ dataDir, masterKey, logger: createSilentLogger() });
    const b = await LocalEncryptedVault.open({ dataDir, masterKey, logger: createSilentLogger() });
    await a.createSecret('race', labels);
    const ids = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).addVersion('race', `race-value-${i}`)),
    );
    expect(new Set(ids).size).toBe(20);
    for (const [i, id] of ids.entries()) expect(await a.access('race', id)).toBe(`race-value-${i}`);
    await a.close();
    await b.close();
  });

  test('a closed vault refuses to work', async () => {
    const dataDir = await tempDir();
    const vault = await LocalEncryptedVault.open({
      dataDir,
      masterKey: 'c'.repeat(64),
      logger: createSilentLogger(),
    });
    await vault.createSecret('s', labels);
    await vault.close();
    await expectCode(vault.addVersion('s', 'after-close'), 'VAULT_UNAVAILABLE');
  });
});
