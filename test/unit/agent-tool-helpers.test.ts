import { describe, expect, test } from '@jest/globals';
import { internalAddressOf, isInternalAddress } from '../../agents/tools/network-guard.js';
import { planDiff } from '../../agents/tools/plan-diff.js';

describe('network guard', () => {
  test.each([
    ['127.0.0.1', true],
    ['10.0.0.5', true],
    ['172.16.1.1', true],
    ['172.32.0.1', false],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['8.8.8.8', false],
    ['93.184.216.34', false],
    ['::1', true],
    ['::', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:8.8.8.8', false],
    ['2606:4700:4700::1111', false],
    ['not-an-ip', true],
  ])('%s internal: %s', (address, internal) => {
    expect(isInternalAddress(address)).toBe(internal);
  });

  test('names resolving to loopback and *.localhost are internal; literal public IPs are not', async () => {
    expect(await internalAddressOf('localhost')).not.toBeNull();
    expect(await internalAddressOf('api.localhost')).not.toBeNull();
    expect(await internalAddressOf('[::1]')).toBe('::1');
    expect(await internalAddressOf('8.8.8.8')).toBeNull();
  });
});

describe('plan diff', () => {
  test('added, changed and removed files, line by line', () => {
    const diff = planDiff(
      { 'app.yaml': 'replicas: 1\nimage: web:1\n', 'old.yaml': 'x\n' },
      { 'app.yaml': 'replicas: 2\nimage: web:1\n', 'db.yaml': 'engine: pg\n' },
    );
    expect(diff).toBe(
      [
        '--- a/app.yaml',
        '+++ b/app.yaml',
        '-replicas: 1',
        '+replicas: 2',
        ' image: web:1',
        '--- /dev/null',
        '+++ b/db.yaml',
        '+engine: pg',
        '--- a/old.yaml',
        '+++ /dev/null',
        '-x',
        '',
      ].join('\n'),
    );
    expect(planDiff({ a: '1\n' }, { a: '1\n' })).toBe('');
  });
});
