/**
 * AES-256-GCM for the local vault: a fresh random 96-bit IV per value, the 128-bit tag kept beside the
 * ciphertext, and associated data that binds a ciphertext to where it belongs (secret name + version), so
 * a file copied to another secret or version fails to open instead of yielding the wrong value.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { SealedValue } from '../../ports/vault-records.js';

export type Sealed = SealedValue;

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_INFO = 'olympus-vault/v1 aes-256-gcm';

/** The data key, derived from the 32-byte master key so the master key itself never encrypts data. */
export function deriveDataKey(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), KEY_INFO, 32));
}

/** Associated data for one value: the vault format, the secret name and the version. */
export function valueContext(secret: string, version: string): string {
  return `olympus-vault/v1 value ${secret}/${version}`;
}

export function seal(key: Buffer, plaintext: Buffer, context: string): Sealed {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return {
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
}

/** The plaintext, or null when the key, the context or a single byte does not match. */
export function open(key: Buffer, sealed: Sealed, context: string): Buffer | null {
  try {
    const iv = Buffer.from(sealed.iv, 'base64');
    const tag = Buffer.from(sealed.tag, 'base64');
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) return null;
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(sealed.ciphertext, 'base64')), decipher.final()]);
  } catch {
    return null;
  }
}
