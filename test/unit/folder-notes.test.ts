/**
 * The docs follow the code: every top-level folder has a note (its README.md) naming each of its
 * subfolders, README's layout names every top-level folder, and ports/README.md lists every port file.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';

const root = process.cwd();
const FOLDERS = [
  'bot',
  'handlers',
  'orchestration',
  'agents',
  'ports',
  'storage',
  'common',
  'manifests',
  'bench',
  'test',
];
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const subfolders = (folder: string) =>
  readdirSync(path.join(root, folder)).filter((name) =>
    statSync(path.join(root, folder, name)).isDirectory(),
  );

describe('folder notes', () => {
  test.each(FOLDERS)('%s/README.md names every subfolder', (folder) => {
    const note = path.join(folder, 'README.md');
    expect(existsSync(path.join(root, note))).toBe(true);
    const text = read(note);
    const unnamed = subfolders(folder).filter((name) => !text.includes(`${name}/`));
    expect(unnamed).toEqual([]);
  });

  test("README's layout names every top-level folder", () => {
    const readme = read('README.md');
    const layout = readme.slice(readme.indexOf('## Layout'), readme.indexOf('## Development notes'));
    const unnamed = FOLDERS.filter((folder) => !new RegExp(`^${folder}/`, 'm').test(layout));
    expect(unnamed).toEqual([]);
  });

  test('ports/README.md lists every port file', () => {
    const text = read('ports/README.md');
    const files = readdirSync(path.join(root, 'ports')).filter((name) => name.endsWith('.ts'));
    expect(files.filter((file) => !text.includes(`\`${file}\``))).toEqual([]);
  });
});
