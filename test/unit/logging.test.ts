import { Writable } from 'node:stream';
import { describe, expect, test } from '@jest/globals';
import { createLogger } from '../../common/logging/logger.js';
import { REDACTED, SecretRedactor } from '../../common/logging/redactor.js';

function capture(format: 'json' | 'pretty', redactor: SecretRedactor) {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', format, redactor, stream }), lines };
}

const VAULT_VALUE = 'vault-value-Zq81!x';
const CONFIG_SECRET = 'postgres://olympus:hunter2hunter2@db:5432/olympus';

describe('logging redaction', () => {
  for (const format of ['json', 'pretty'] as const) {
    test(`no secret value reaches a ${format} log line`, () => {
      const redactor = new SecretRedactor([CONFIG_SECRET, 'hunter2hunter2']);
      redactor.add(VAULT_VALUE);
      const { logger, lines } = capture(format, redactor);
      logger.info(`connecting with ${CONFIG_SECRET}`);
      logger.info('vault read', { value: VAULT_VALUE, nested: { list: [`x ${VAULT_VALUE} y`] } });
      logger.warn('headers', {
        authorization: 'Bearer abcdefghijklmnop',
        slackToken: 'whatever-it-is',
        password: 'pw',
      });
      logger.error('request failed', new Error(`token xoxb-1111-2222-abcdef rejected for ${VAULT_VALUE}`));
      logger.debug('keys', { text: 'key sk-abcdefghijklmnopqrstuvwx and mongodb://u:pa55word@h/db' });
      const output = lines.join('');
      expect(lines).toHaveLength(5);
      for (const secret of [
        VAULT_VALUE,
        'hunter2hunter2',
        'abcdefghijklmnop',
        'whatever-it-is',
        'xoxb-1111',
        'sk-abcdef',
        'pa55word',
      ]) {
        expect(output).not.toContain(secret);
      }
      expect(output).toContain(REDACTED);
      expect(output).toContain('request failed');
    });
  }

  test('json lines stay structured and keep non-secret fields', () => {
    const { logger, lines } = capture('json', new SecretRedactor());
    logger.info('job finished', { job: 'task.run', durationMs: 12, correlationId: 'c-1' });
    const line = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 'info',
      message: 'job finished',
      job: 'task.run',
      durationMs: 12,
      correlationId: 'c-1',
    });
    expect(typeof line.timestamp).toBe('string');
  });

  test('redaction copies and never changes the logged object', () => {
    const redactor = new SecretRedactor([VAULT_VALUE]);
    const original = { a: VAULT_VALUE, token: 't' };
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    expect(redactor.redact(original)).toEqual({ a: REDACTED, token: REDACTED });
    expect(original.a).toBe(VAULT_VALUE);
    expect(redactor.redact(cyclic)).toEqual({ name: 'loop', self: '[Circular]' });
  });
});
