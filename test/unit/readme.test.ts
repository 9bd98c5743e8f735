import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { VARIABLES } from '../../bot/config/variables.js';

const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

describe('README', () => {
  test('documents every configuration variable with its default and secrecy', () => {
    for (const spec of VARIABLES) {
      const row = readme.split('\n').find((line) => new RegExp(`^\\|\\s*\`${spec.name}\`\\s*\\|`).test(line));
      expect(row).toBeDefined();
      if (spec.defaultValue !== undefined) expect(row).toContain(`\`${spec.defaultValue}\``);
      expect(row!.includes('_secret_')).toBe(spec.secret === true);
    }
  });
});
