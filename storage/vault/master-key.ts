/**
 * The local vault's master key: OLYMPUS_MASTER_KEY (64 hex characters or base64 of 32 bytes) when set;
 * otherwise `<vaultDir>/master.key`, generated on first start with mode 0600 and a loud warning (the
 * warning names the file, never the key).
 */
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { OlympusError } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import { open, seal } from './local-cipher.js';
import { createFileExclusive, readTextOrNull } from './local-vault-files.js';
import type { VaultRecordRepository } from '../../ports/vault-records.js';

export interface MasterKey {
  key: Buffer;
  source: 'config' | 'file' | 'generated';
  /** The key file, when the key came from one. */
  file: string | null;
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
const KEYCHECK_CONTEXT = 'olympus-vault/v1 keycheck';
const KEYCHECK_VALUE = 'olympus-vault-keycheck';

/** 32 bytes from hex or base64 text; null when the text is neither. */
export function parseMasterKey(text: string): Buffer | null {
  const trimmed = text.trim();
  if (HEX_KEY.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return null;
  const bytes = Buffer.from(trimmed, 'base64');
  return bytes.length === 32 ? bytes : null;
}

function badKey(message: string): OlympusError {
  return new OlympusError('VAULT_KEY_INVALID', message, {
    userMessage: 'The secret vault cannot be opened; an operator needs to check its key.',
  });
}

export async function loadMasterKey(
  vaultDir: string,
  configured: string | null,
  logger: Logger,
): Promise<MasterKey> {
  if (configured !== null && configured !== '') {
    const key = parseMasterKey(configured);
    if (!key) throw badKey('OLYMPUS_MASTER_KEY must be 32 bytes as 64 hex characters or base64');
    return { key, source: 'config', file: null };
  }
  const file = path.join(vaultDir, 'master.key');
  const existing = await readTextOrNull(file);
  if (existing !== null) return { key: await keyFromFile(file, existing, logger), source: 'file', file };

  const generated = randomBytes(32);
  if (await createFileExclusive(file, `${generated.toString('hex')}\n`)) {
    logger.warn(
      `No OLYMPUS_MASTER_KEY set: generated a new vault master key in ${file} (mode 0600). ` +
        'Back this file up and keep it apart from the data directory, or set OLYMPUS_MASTER_KEY; ' +
        'without this key every stored secret is lost.',
      { component: 'vault', keyFile: file },
    );
    return { key: generated, source: 'generated', file };
  }
  // Another process created it first: use theirs.
  const raced = (await readTextOrNull(file)) ?? '';
  return { key: await keyFromFile(file, raced, logger), source: 'file', file };
}

async function keyFromFile(file: string, text: string, logger: Logger): Promise<Buffer> {
  const key = parseMasterKey(text);
  if (!key) throw badKey(`the vault key file ${file} does not hold 32 bytes as hex or base64`);
  const { mode } = await stat(file);
  if ((mode & 0o077) !== 0)
    logger.warn(
      `The vault key file ${file} is readable by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it.`,
      {
        component: 'vault',
      },
    );
  return key;
}

/**
 * Seals a known value as the vault's key check value on first open (a file, or a row of the shared store);
 * every later open must unseal it, so a wrong key stops the start with a clear error instead of failing
 * (or worse) at the first secret read. `keyOrigin` names where the key came from, `where` the vault.
 */
export async function verifyKey(
  records: Pick<VaultRecordRepository, 'keyCheck'>,
  dataKey: Buffer,
  keyOrigin: string,
  where: string,
): Promise<void> {
  const stored = await records.keyCheck(seal(dataKey, Buffer.from(KEYCHECK_VALUE), KEYCHECK_CONTEXT));
  if (open(dataKey, stored, KEYCHECK_CONTEXT)?.toString() !== KEYCHECK_VALUE)
    throw badKey(
      `wrong vault master key: the key from ${keyOrigin} is not the one the vault in ${where} was created with ` +
        '(its key check value does not open); every process sharing the vault needs that same key',
    );
}
