/**
 * Which addresses an agent's HTTP request may reach. Loopback, private, link-local and other internal
 * ranges are refused: Olympus's own APIs (the ops API answers loopback callers) and the operators'
 * network must never be reachable from model output. A host a TO approved on a credential checkpoint is
 * the one exception, checked by the caller.
 */
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';

function ipv4Internal(ip: string): boolean {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255))
    return true;
  const [a, b] = parts as [number, number, number, number];
  return (
    a === 0 ||
    a === 10 ||
    a === 127 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0) ||
    (a === 198 && (b === 18 || b === 19)) ||
    a >= 224
  );
}

/** True for loopback, private, link-local, unique-local, multicast and unspecified addresses. */
export function isInternalAddress(address: string): boolean {
  const ip = address.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(ip) === 4) return ipv4Internal(ip);
  if (isIP(ip) !== 6) return true;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped) return ipv4Internal(mapped[1]!);
  return (
    ip === '::' ||
    ip === '::1' ||
    ip.startsWith('fc') ||
    ip.startsWith('fd') ||
    /^fe[89ab]/.test(ip) ||
    ip.startsWith('ff')
  );
}

/** The first internal address the host name is or resolves to; null when all are public. */
export async function internalAddressOf(hostname: string): Promise<string | null> {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) !== 0) return isInternalAddress(host) ? host : null;
  if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local')) return host;
  try {
    const addresses = await lookup(host, { all: true });
    return addresses.map((entry) => entry.address).find(isInternalAddress) ?? null;
  } catch {
    return null; // unresolvable: the request itself fails and says so
  }
}
