/** The identity handle a console sender maps to: an email address, or a console name. */
import { z } from 'zod';
import type { IdentityHandle } from '../../ports/domain.js';

export function consoleHandle(as: string): { handle: IdentityHandle; displayName: string } {
  const lowered = as.trim().toLowerCase();
  if (z.email().safeParse(lowered).success) {
    return {
      handle: { surface: 'email', externalId: lowered },
      displayName: as.trim().split('@')[0] ?? as.trim(),
    };
  }
  return { handle: { surface: 'console', externalId: lowered }, displayName: as.trim() };
}
