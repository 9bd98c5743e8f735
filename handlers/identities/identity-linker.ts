/**
 * A client proves that another handle is theirs: "link me to alice@example.com" sends a one-time code
 * to that handle on its own surface; typing the code back where the request was made links the handle
 * to the client's identity (its old identity, left without handles, is merged in). Codes are 6 digits,
 * stored only as a hash salted with the identity, expire after 10 minutes, and allow 5 attempts.
 */
import { createHash, randomInt } from 'node:crypto';
import type { Logger } from '../../common/logging/logger.js';
import type { Identity, IdentityHandle, Store } from '../../ports/store.js';
import type { NotifierRegistry } from '../notify/notifier-registry.js';
import { handleLabel } from './handle-text.js';
import { systemClock, type Clock } from '../../ports/clock.js';

export interface IdentityLinkerOptions {
  store: Store;
  notifiers: NotifierRegistry;
  logger: Logger;
  ttlMs?: number;
  maxAttempts?: number;
  /** Makes codes (tests may not: the code must reach the other surface to be known). */
  /** Where "now" comes from (tests drive it). */
  clock?: Clock;
}

export const LINK_CODE_TTL_MS = 10 * 60_000;
export const LINK_CODE_ATTEMPTS = 5;
const RESEND_AFTER_MS = 60_000;

export function hashLinkCode(identityId: string, code: string): string {
  return createHash('sha256').update(`olympus-link:${identityId}:${code}`).digest('hex');
}

export class IdentityLinker {
  private readonly ttlMs: number;
  private readonly maxAttempts: number;
  private readonly now: () => Date;

  constructor(private readonly options: IdentityLinkerOptions) {
    this.ttlMs = options.ttlMs ?? LINK_CODE_TTL_MS;
    this.maxAttempts = options.maxAttempts ?? LINK_CODE_ATTEMPTS;
    this.now = () => (options.clock ?? systemClock).now();
  }

  /** Whether the identity has a code it may still type. */
  async hasLiveCode(identityId: string): Promise<boolean> {
    const code = await this.options.store.identityLinks.getCode(identityId);
    return (
      code !== null && code.usedAt === null && code.expiresAt > this.now() && code.attempts < this.maxAttempts
    );
  }

  /** Sends a code to `handle`; returns Hermes's answer. */
  async request(identity: Identity, handle: IdentityHandle, from: string): Promise<string> {
    const { store, notifiers, logger } = this.options;
    const label = handleLabel(handle);
    if (identity.handles.some((own) => handleLabel(own) === label))
      return `${label} is already linked to you.`;
    const notifier = notifiers.get(handle.surface);
    if (!notifier?.deliverTo) {
      return `I can't send a code to ${handle.surface} from here. An administrator can link it with \`olympus identities link\`.`;
    }
    const existing = await store.identityLinks.getCode(identity.id);
    if (
      existing &&
      handleLabel(existing.handle) === label &&
      existing.usedAt === null &&
      this.now().getTime() - existing.createdAt.getTime() < RESEND_AFTER_MS
    ) {
      return `I sent a code to ${label} a moment ago; type it here when it arrives.`;
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const created = await store.identityLinks.createCode({
      identityId: identity.id,
      handle,
      codeHash: hashLinkCode(identity.id, code),
      expiresAt: new Date(this.now().getTime() + this.ttlMs),
    });
    const minutes = Math.round(this.ttlMs / 60_000);
    await notifier.deliverTo(handle, {
      effectId: `link-code:${identity.id}:${created.createdAt.getTime()}`,
      subject: 'Your Olympus link code',
      text: `Your Olympus link code is ${code}.\n\nSomeone talking to Hermes on ${from} asked to link ${label} to their account. If that was you, type the code there; it expires in ${minutes} minutes. If it was not you, ignore this message: nothing is linked without the code.`,
    });
    await store.audit.append({
      actor: identity.id,
      action: 'identity.link_requested',
      subjectType: 'identity',
      subjectId: identity.id,
      data: { handle: label },
    });
    logger.info('identity link code sent', { identityId: identity.id, handle: label });
    return `I've sent a 6-digit code to ${label}. Type it here within ${minutes} minutes to link it to you.`;
  }

  /** Checks a typed code; returns Hermes's answer. */
  async confirm(identity: Identity, code: string): Promise<string> {
    const { store } = this.options;
    const attempt = await store.identityLinks.attempt(
      identity.id,
      hashLinkCode(identity.id, code),
      this.maxAttempts,
    );
    if (attempt === null) {
      return 'That code has expired or was tried too often. Ask again with "link me to <address>".';
    }
    const label = handleLabel(attempt.code.handle);
    if (!attempt.matched) {
      const left = this.maxAttempts - attempt.code.attempts;
      await store.audit.append({
        actor: identity.id,
        action: 'identity.link_code_wrong',
        subjectType: 'identity',
        subjectId: identity.id,
        data: { handle: label, attemptsLeft: left },
      });
      return left > 0
        ? `That code is not right. ${left} ${left === 1 ? 'try' : 'tries'} left.`
        : 'That code is not right, and that was the last try. Ask again with "link me to <address>".';
    }
    const moved = await store.identityLinks.moveHandle(identity.id, attempt.code.handle);
    await store.audit.append({
      actor: identity.id,
      action: 'identity.linked',
      subjectType: 'identity',
      subjectId: identity.id,
      data: {
        handle: label,
        previousOwner: moved?.previousOwner ?? null,
        merged: moved?.merged ?? false,
        by: 'code',
      },
    });
    return `Linked: ${label} is now you too. Projects and conversations from there are yours here as well.`;
  }
}
