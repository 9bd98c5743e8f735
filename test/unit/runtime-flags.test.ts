/**
 * Every way Olympus is started gives it the same Node flags (bot/runtime-flags.ts): the `olympus`
 * command's shebang, package.json's `start` and `olympus` scripts and the Dockerfile's entrypoint. The
 * built command, run through its shebang, is running with them.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import { NODE_FLAGS } from '../../bot/runtime-flags.js';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
const flags = NODE_FLAGS.join(' ');

describe('runtime flags', () => {
  test('the shebang, the npm scripts and the Dockerfile all start node with the flags', () => {
    expect(read('bot/cli.ts').split('\n')[0]).toBe(`#!/usr/bin/env -S node ${flags}`);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.start).toContain(`node ${flags} dist/bot/cli.js start`);
    expect(scripts.olympus).toBe(`node ${flags} dist/bot/cli.js`);
    const entrypoint = /^ENTRYPOINT (.*)$/m.exec(read('manifests/deploy/Dockerfile'))?.[1];
    expect(JSON.parse(entrypoint ?? 'null')).toEqual(['node', ...NODE_FLAGS, 'dist/bot/cli.js']);
  });

  test("the built command's shebang starts node with the flags in effect", () => {
    const cli = new URL('../../dist/bot/cli.js', import.meta.url).pathname;
    const shebang = readFileSync(cli, 'utf8').split('\n')[0]!;
    expect(shebang).toBe(`#!/usr/bin/env -S node ${flags}`);
    const [program, ...args] = shebang.slice(2).split(' ');
    const run = (more: string[]) => execFileSync(program!, [...args, ...more], { encoding: 'utf8' });
    expect(run([cli, '--version']).trim()).toMatch(/^\d+\.\d+\.\d+/);
    // In effect in V8: after allocations that grow the young generation to its limit, 4 MB semi-spaces
    // leave it at most 3 × 4 MB (Node's default lets it reach 32 MB and more).
    const script = [
      "import v8 from 'node:v8';",
      'const kept = []; for (let i = 0; i < 2e6; i++) { const o = { i }; if (i % 3 === 0) kept.push(o); }',
      "process.stdout.write(String(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size));",
    ].join(' ');
    const size = Number(run(['--input-type=module', '-e', script]));
    expect(size).toBeGreaterThan(0);
    expect(size).toBeLessThanOrEqual(3 * 4 * 1024 * 1024);
  });
});
