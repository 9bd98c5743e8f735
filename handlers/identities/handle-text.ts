/**
 * Handles written as text: `email:alice@example.com`, `discord:1234…`, `slack:U…` (a user of the home
 * Slack workspace; `slack:T…:U…` or `slack:E…:T…:U…` for another team), `console:name`, or a bare address.
 */
import { z } from 'zod';
import { OlympusError } from '../../common/errors.js';
import type { IdentityHandle, Surface } from '../../ports/store.js';

const SURFACES: readonly Surface[] = ['slack', 'discord', 'email', 'console'];
const email = z.email();

export function parseHandle(text: string): IdentityHandle {
  const trimmed = text.trim();
  const split = trimmed.indexOf(':');
  const prefix = split > 0 ? trimmed.slice(0, split).toLowerCase() : '';
  if (SURFACES.includes(prefix as Surface)) {
    return checked(prefix as Surface, trimmed.slice(split + 1).trim());
  }
  return checked('email', trimmed);
}

function checked(surface: Surface, externalId: string): IdentityHandle {
  const valid =
    surface === 'email'
      ? email.safeParse(externalId).success
      : surface === 'discord'
        ? /^\d{5,25}$/.test(externalId)
        : surface === 'slack'
          ? /^(?:(?:E[A-Z0-9]{2,30}:)?T[A-Z0-9]{2,30}:)?[UW][A-Z0-9]{2,30}$/.test(externalId)
          : /^[\w.@-]{1,100}$/.test(externalId);
  if (!valid) {
    throw new OlympusError('VALIDATION', `not a valid ${surface} handle: "${externalId}"`, {
      userMessage: `That doesn't look like a ${surface === 'email' ? 'valid email address' : `${surface} id`}.`,
    });
  }
  return { surface, externalId: surface === 'email' ? externalId.toLowerCase() : externalId };
}

export function handleLabel(handle: IdentityHandle): string {
  return `${handle.surface}:${handle.externalId}`;
}
