/**
 * File helpers for the local vault: private directories (0700), private files (0600), atomic replacement
 * (temp file + fsync + rename) and atomic exclusive creation (temp file + link, which fails if the name
 * is taken), so a crash or a second process never leaves a half-written file behind.
 */
import { randomBytes } from 'node:crypto';
import { chmod, link, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';

export const DIR_MODE = 0o700;
export const FILE_MODE = 0o600;

export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: DIR_MODE });
  await chmod(dir, DIR_MODE);
}

async function writeTemp(target: string, data: string | Buffer): Promise<string> {
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${randomBytes(6).toString('hex')}.tmp`,
  );
  const handle = await open(temp, 'wx', FILE_MODE);
  try {
    await handle.chmod(FILE_MODE);
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  return temp;
}

/** Replaces `target` atomically: readers see the old content or the new, never a mix. */
export async function writeFileAtomic(target: string, data: string | Buffer): Promise<void> {
  const temp = await writeTemp(target, data);
  try {
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

/** Creates `target` atomically; false (and nothing written) when it already exists. */
export async function createFileExclusive(target: string, data: string | Buffer): Promise<boolean> {
  const temp = await writeTemp(target, data);
  try {
    await link(temp, target);
    return true;
  } catch (error) {
    if (isCode(error, 'EEXIST')) return false;
    throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
}

/**
 * Replaces `target` atomically and then overwrites the replaced file's old bytes with zeros through a
 * handle opened beforehand, so the old content is gone from the file system's view of that inode.
 * (Copy-on-write file systems and SSD wear levelling may still keep old blocks; the key protects those.)
 */
export async function replaceAndWipe(target: string, data: string | Buffer): Promise<void> {
  const old = await open(target, 'r+');
  try {
    await writeFileAtomic(target, data);
    const { size } = await old.stat();
    if (size > 0) await old.write(Buffer.alloc(size), 0, size, 0);
    await old.sync();
  } finally {
    await old.close();
  }
}

export async function readTextOrNull(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (isCode(error, 'ENOENT')) return null;
    throw error;
  }
}

export function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
