/**
 * Who is calling the console and ops APIs, and the login that decides it.
 *
 * - No token configured: callers on loopback (with a loopback Host header, so a web page elsewhere cannot
 *   reach the API through DNS rebinding) are the local operator, an admin. Nobody else is let in; a
 *   server bound to a non-loopback address without a token refuses to start (`assertConsoleAccess`).
 * - `OLYMPUS_CONSOLE_TOKEN` set: that token logs in as the operator (admin).
 * - `OLYMPUS_CONSOLE_TOKENS`: per-identity tokens, `<handle>=<sha256 hex of the token>` comma-separated
 *   (`olympus tokens create --as <handle>` makes one); the caller is that identity, with its stored role.
 *
 * With any token configured, every caller needs one (loopback too), sent as `Authorization: Bearer <token>`
 * or as the `olympus_session` cookie the web page's login sets.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { z } from 'zod';
import { OlympusError } from '../../common/errors.js';
import { evaluate, type Action } from '../../handlers/access/policy.js';
import type { IdentityDirectory } from '../../handlers/identities/identity-directory.js';
import type { Identity, IdentityHandle, Project, Role } from '../../ports/domain.js';

export { OPERATOR_HANDLE } from '../../handlers/identities/operator-identity.js';

export const SESSION_COOKIE = 'olympus_session';

export interface IdentityToken {
  /** The handle as configured, e.g. `email:alice@example.com`. */
  handle: IdentityHandle;
  /** SHA-256 of the token, hex. */
  hash: string;
}

export interface ConsoleAccessSettings {
  /** The admin token, or null. */
  adminToken: string | null;
  identityTokens: IdentityToken[];
}

export interface Viewer {
  identity: Identity;
  role: Role;
  /** How the viewer logged in. */
  via: 'loopback' | 'admin_token' | 'identity_token';
}

const SURFACES = ['slack', 'discord', 'email', 'console'] as const;
const HEX_HASH = /^[0-9a-f]{64}$/;

/** Parses `OLYMPUS_CONSOLE_TOKENS`: `email:alice@example.com=<sha256 hex>, console:tina=<sha256 hex>`. */
export const identityTokensSchema = z.string().transform((value, context): IdentityToken[] => {
  const entries: IdentityToken[] = [];
  for (const part of value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const equals = part.lastIndexOf('=');
    const handleText = part.slice(0, equals).trim();
    const hash = part
      .slice(equals + 1)
      .trim()
      .toLowerCase();
    const colon = handleText.indexOf(':');
    const surface = handleText.slice(0, colon) as (typeof SURFACES)[number];
    const externalId = handleText.slice(colon + 1).trim();
    if (equals < 1 || colon < 1 || !SURFACES.includes(surface) || externalId === '' || !HEX_HASH.test(hash)) {
      context.addIssue({
        code: 'custom',
        message: `"${part.slice(0, 80)}" is not <surface>:<id>=<64 hex digits of the token's SHA-256>`,
      });
      return z.NEVER;
    }
    entries.push({
      handle: {
        surface,
        externalId: surface === 'email' || surface === 'console' ? externalId.toLowerCase() : externalId,
      },
      hash,
    });
  }
  return entries;
});

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A new random token and the `OLYMPUS_CONSOLE_TOKENS` entry that admits it for `handle`. */
export function createIdentityToken(handleText: string): { token: string; entry: string } {
  const parsed = identityTokensSchema.safeParse(`${handleText}=${'0'.repeat(64)}`);
  if (!parsed.success || parsed.data.length !== 1) {
    throw new OlympusError(
      'VALIDATION',
      `--as: "${handleText}" is not a handle such as email:alice@example.com, console:tina or slack:U123`,
    );
  }
  const handle = parsed.data[0]!.handle;
  const token = `olyt_${randomBytes(24).toString('base64url')}`;
  return { token, entry: `${handle.surface}:${handle.externalId}=${hashToken(token)}` };
}

/** Reads the settings from the resolved configuration values. */
export function consoleAccessSettings(
  resolved: ReadonlyMap<string, { value: unknown }>,
): ConsoleAccessSettings {
  const admin = resolved.get('OLYMPUS_CONSOLE_TOKEN')?.value;
  const tokens = resolved.get('OLYMPUS_CONSOLE_TOKENS')?.value;
  return {
    adminToken: typeof admin === 'string' && admin.length > 0 ? admin : null,
    identityTokens: typeof tokens === 'string' ? identityTokensSchema.parse(tokens) : [],
  };
}

export function tokensConfigured(settings: ConsoleAccessSettings): boolean {
  return settings.adminToken !== null || settings.identityTokens.length > 0;
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^(?:::ffff:)?127\.\d+\.\d+\.\d+$/.test(bare);
}

/** Refuses a server reachable from other machines that anyone could use as admin. */
export function assertConsoleAccess(host: string, settings: ConsoleAccessSettings): void {
  if (isLoopbackHost(host) || tokensConfigured(settings)) return;
  throw new OlympusError(
    'CONFIG_INVALID',
    `OLYMPUS_HTTP_HOST is ${host}, which other machines can reach, and no console login is configured: ` +
      'set OLYMPUS_CONSOLE_TOKEN (admin) or OLYMPUS_CONSOLE_TOKENS (per identity, see `olympus tokens create`), ' +
      'or bind to 127.0.0.1.',
  );
}

function sameSecret(a: string, b: string): boolean {
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}

function presentedToken(req: Request): string | null {
  const header = req.headers.authorization;
  if (typeof header === 'string' && /^bearer\s+/i.test(header)) {
    const token = header.replace(/^bearer\s+/i, '').trim();
    if (token) return token;
  }
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === SESSION_COOKIE && rest.length > 0) {
      const value = decodeURIComponent(rest.join('='));
      if (value) return value;
    }
  }
  return null;
}

function loopbackRequest(req: Request): boolean {
  const remote = req.socket.remoteAddress ?? '';
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  return isLoopbackHost(remote) && isLoopbackHost(host);
}

export type Authentication = { ok: true; viewer: Viewer } | { ok: false; status: 401; message: string };

/** Identities as the login needs them: the local operator, and the identity a token names. */
export type LoginIdentities = Pick<IdentityDirectory, 'operator' | 'ensure'>;

export async function authenticate(
  req: Request,
  identities: LoginIdentities,
  settings: ConsoleAccessSettings,
): Promise<Authentication> {
  const token = presentedToken(req);
  if (token === null) {
    if (!tokensConfigured(settings) && loopbackRequest(req)) {
      return {
        ok: true,
        viewer: { identity: await identities.operator(), role: 'admin', via: 'loopback' },
      };
    }
    return {
      ok: false,
      status: 401,
      message: tokensConfigured(settings)
        ? 'Log in: send your console token as "Authorization: Bearer <token>".'
        : 'The console answers local callers only.',
    };
  }
  if (settings.adminToken !== null && sameSecret(token, settings.adminToken)) {
    return {
      ok: true,
      viewer: { identity: await identities.operator(), role: 'admin', via: 'admin_token' },
    };
  }
  const hash = hashToken(token);
  const entry = settings.identityTokens.find((item) => sameSecret(item.hash, hash));
  if (entry === undefined) return { ok: false, status: 401, message: 'That console token is not valid.' };
  const identity = await identities.ensure(entry.handle, {
    displayName: entry.handle.externalId.split('@')[0] ?? entry.handle.externalId,
  });
  return { ok: true, viewer: { identity, role: identity.role, via: 'identity_token' } };
}

/** Express middleware: sets `res.locals.viewer`, or answers 401. */
export function requireViewer(identities: LoginIdentities, settings: ConsoleAccessSettings) {
  return (req: Request, res: Response, next: NextFunction): void => {
    authenticate(req, identities, settings)
      .then((result) => {
        if (result.ok) {
          res.locals.viewer = result.viewer;
          next();
          return;
        }
        res.status(result.status).json({ error: 'unauthorized', message: result.message });
      })
      .catch(next);
  };
}

export function viewerOf(res: Response): Viewer {
  const viewer = res.locals.viewer as Viewer | undefined;
  if (!viewer) throw new OlympusError('INTERNAL', 'console route without a viewer');
  return viewer;
}

export function allowed(viewer: Viewer, action: Action, project?: Pick<Project, 'id' | 'ownerId'>): boolean {
  return evaluate(
    { kind: 'person', identityId: viewer.identity.id, role: viewer.role },
    action,
    project ? { projectId: project.id, ownerId: project.ownerId } : {},
  ).allowed;
}

/** Sets the login cookie (HttpOnly, SameSite=Strict) for the web page. */
export function setSessionCookie(res: Response, token: string, secure: boolean): void {
  res.cookie(SESSION_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/', secure });
}
