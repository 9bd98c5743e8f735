/** Plus-addresses of projects: `local+<project-key>@domain`, built and recognised. */
import { normalizeAddress } from './email-settings.js';

export function splitAddress(address: string): { local: string; domain: string } | null {
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1) return null;
  return { local: address.slice(0, at), domain: address.slice(at + 1) };
}

/** `hermes+sales-digest@example.com` for project key `sales-digest`. */
export function projectAddress(base: string, projectKey: string): string {
  const parts = splitAddress(normalizeAddress(base));
  if (!parts) return base;
  const local = parts.local.split('+')[0] ?? parts.local;
  return `${local}+${projectKey}@${parts.domain}`;
}

/** The project key of a plus-address of `base`, or null when `address` is not one. */
export function projectKeyOf(base: string, address: string): string | null {
  const ours = splitAddress(normalizeAddress(base));
  const theirs = splitAddress(normalizeAddress(address));
  if (!ours || !theirs || ours.domain !== theirs.domain) return null;
  const ourLocal = ours.local.split('+')[0];
  const [local, ...detail] = theirs.local.split('+');
  if (local !== ourLocal || detail.length === 0) return null;
  const key = detail.join('+');
  return /^[a-z0-9][a-z0-9-]{0,80}$/.test(key) ? key : null;
}

/** True for our address and every plus-address of it. */
export function isOwnAddress(base: string, address: string): boolean {
  const ours = splitAddress(normalizeAddress(base));
  const theirs = splitAddress(normalizeAddress(address));
  if (!ours || !theirs || ours.domain !== theirs.domain) return false;
  return theirs.local.split('+')[0] === ours.local.split('+')[0];
}
