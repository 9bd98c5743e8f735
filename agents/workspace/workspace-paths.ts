/**
 * Keeps an agent's file paths inside its project's workspace: relative paths only, no `..`, nothing in
 * `.git`, and no symbolic link (anywhere on the way) that leads outside the workspace.
 */
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { OlympusError } from '../../common/errors.js';

function refuse(given: string, why: string): OlympusError {
  return new OlympusError('VALIDATION', `path "${given}" refused: ${why}`, { details: { path: given } });
}

/** The path, relative to the workspace root, in POSIX form; throws VALIDATION when not allowed. */
export function normaliseRelative(given: string): string {
  if (given.includes('\0')) throw refuse(given, 'contains a NUL byte');
  const slashed = given.replaceAll('\\', '/').trim();
  if (slashed === '' || slashed === '.') return '.';
  if (slashed.startsWith('/') || /^[A-Za-z]:/.test(slashed))
    throw refuse(given, 'absolute paths are not allowed; use a path relative to the workspace');
  const parts = slashed.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw refuse(given, '".." is not allowed');
  if (parts.includes('.git')) throw refuse(given, 'the .git directory belongs to Olympus');
  return parts.length === 0 ? '.' : parts.join('/');
}

/**
 * The absolute path for `given` inside `root`, after checking that the deepest existing ancestor (or
 * the file itself) really lies inside the workspace once symbolic links are resolved.
 */
export async function resolveInside(
  root: string,
  given: string,
): Promise<{ relative: string; absolute: string }> {
  const relative = normaliseRelative(given);
  const realRoot = await realpath(root);
  const absolute = relative === '.' ? realRoot : path.join(realRoot, relative);
  let probe = absolute;
  for (;;) {
    const exists = await lstat(probe).then(
      () => true,
      () => false,
    );
    if (exists) break;
    const parent = path.dirname(probe);
    if (parent === probe) break;
    probe = parent;
  }
  const real = await realpath(probe).catch(() => null);
  if (real === null) throw refuse(given, 'it is a broken symbolic link');
  if (real !== realRoot && !real.startsWith(realRoot + path.sep))
    throw refuse(given, 'it leads outside the workspace (symbolic link)');
  return { relative, absolute };
}
