/** Small pure parts of the vault: validation, key parsing, checksums, Secret Manager error mapping. */
import { describe, expect, test } from '@jest/globals';
import { crc32c } from '../../storage/vault/crc32c.js';
import { GrpcStatus, mapSecretManagerError } from '../../storage/vault/google-secret-manager-errors.js';
import { parseMasterKey } from '../../storage/vault/master-key.js';
import { assertLabels, assertSecretName, assertValue, assertVersion } from '../../ports/vault.js';

describe('vault validation', () => {
  test('secret names', () => {
    for (const ok of ['a', 'slack_bot-token', 'A1', 'x'.repeat(255)])
      expect(() => assertSecretName(ok)).not.toThrow();
    for (const bad of ['', 'a b', 'a/b', 'a.b', 'ü', 'x'.repeat(256)])
      expect(() => assertSecretName(bad)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
  });

  test('versions are pinned whole numbers; "latest" is refused with a reason', () => {
    for (const ok of ['1', '42', '100000']) expect(() => assertVersion(ok)).not.toThrow();
    expect(() => assertVersion('latest')).toThrow(/explicit version/);
    for (const bad of ['0', '07', '1.5', 'v1', '', ' 1'])
      expect(() => assertVersion(bad)).toThrow(/whole number/);
  });

  test('labels follow Secret Manager rules', () => {
    expect(() => assertLabels({ project: 'p-1', purpose: 'ci_token', ключ: 'значение' })).not.toThrow();
    expect(() => assertLabels({ project: 'p', purpose: 'x', Bad: 'v' })).toThrow(/label keys/);
    expect(() => assertLabels({ project: 'p', purpose: 'X' })).toThrow(/label values/);
    const many = Object.fromEntries(Array.from({ length: 64 }, (_, i) => [`k${i}`, 'v']));
    expect(() => assertLabels({ project: 'p', purpose: 'x', ...many })).toThrow(/at most 64/);
  });

  test('values up to 64 KiB', () => {
    expect(() => assertValue('é'.repeat(32_768))).not.toThrow();
    expect(() => assertValue('é'.repeat(32_768) + 'x')).toThrow(/at most 65536 bytes/);
  });
});

describe('master key parsing', () => {
  test('accepts 64 hex characters or base64 of 32 bytes, nothing else', () => {
    const bytes = Buffer.alloc(32, 7);
    expect(parseMasterKey(bytes.toString('hex'))).toEqual(bytes);
    expect(parseMasterKey(`${bytes.toString('hex').toUpperCase()}\n`)).toEqual(bytes);
    expect(parseMasterKey(bytes.toString('base64'))).toEqual(bytes);
    expect(parseMasterKey(Buffer.alloc(31).toString('base64'))).toBeNull();
    expect(parseMasterKey('not a key at all')).toBeNull();
    expect(parseMasterKey('')).toBeNull();
  });
});

describe('crc32c', () => {
  test('matches the standard check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });
});

describe('Secret Manager error mapping', () => {
  const context = { operation: 'access', secret: 's', version: '3' };
  const cases: [number, string, string, boolean][] = [
    [GrpcStatus.NOT_FOUND, 'not found', 'SECRET_NOT_FOUND', false],
    [GrpcStatus.ALREADY_EXISTS, 'exists', 'SECRET_EXISTS', false],
    [GrpcStatus.FAILED_PRECONDITION, 'is in DISABLED state.', 'SECRET_DISABLED', false],
    [GrpcStatus.FAILED_PRECONDITION, 'is in DESTROYED state.', 'SECRET_DESTROYED', false],
    [GrpcStatus.INVALID_ARGUMENT, 'bad', 'VALIDATION', false],
    [GrpcStatus.PERMISSION_DENIED, 'denied', 'VAULT_UNAVAILABLE', false],
    [GrpcStatus.UNAUTHENTICATED, 'no creds', 'VAULT_UNAVAILABLE', false],
    [GrpcStatus.UNAVAILABLE, 'down', 'VAULT_UNAVAILABLE', true],
    [GrpcStatus.DEADLINE_EXCEEDED, 'slow', 'VAULT_UNAVAILABLE', true],
    [GrpcStatus.RESOURCE_EXHAUSTED, 'quota', 'VAULT_UNAVAILABLE', true],
  ];
  test.each(cases)('gRPC %i (%s) → %s, retryable %s', (code, details, expected, retryable) => {
    const cause = Object.assign(new Error(`${code} ${details}`), { code, details });
    const mapped = mapSecretManagerError(cause, context);
    expect(mapped).toMatchObject({ code: expected, retryable });
    expect(mapped.cause).toBe(cause);
    expect(mapped.userMessage).not.toContain('gRPC');
  });
});
