/**
 * The port through which Olympus tells a client something on the surface they use: Hermes's deferred
 * replies, orchestration notices (plan sent back, project complete) and status digests. Each surface
 * (bot/slack, bot/email, bot/discord) implements it; delivery goes through the outbox under the notice's
 * effect id, so a retried delivery never posts twice.
 */
import type { IdentityHandle, Surface, ThreadRef } from './store.js';

export type ClientNoticeKind = 'reply' | 'notice' | 'digest';

export interface ClientNotice {
  /** Stable id of this effect (outbox key): the same notice delivered twice is posted once. */
  effectId: string;
  kind: ClientNoticeKind;
  /** Plain text; the surface escapes and formats it. */
  text: string;
  /** Where to post: the project's thread on this surface, or the client's conversation thread. */
  thread: ThreadRef;
  projectId: string | null;
  /** The conversation the notice belongs to, when it answers or follows one. */
  conversationId: string | null;
}

export interface SurfaceNotifier {
  readonly surface: Surface;
  /** Posts the notice (once per effect id). Resolves when delivered or already delivered. */
  deliver(notice: ClientNotice): Promise<void>;
  /**
   * Sends a message to a person by handle, outside any thread (a one-time link code mailed to an
   * address). Optional: surfaces that cannot reach a person first leave it out.
   */
  deliverTo?(handle: IdentityHandle, message: DirectNotice): Promise<void>;
}

export interface DirectNotice {
  /** Stable id of this effect (outbox key). */
  effectId: string;
  subject: string;
  text: string;
}
