/**
 * The port through which Olympus tells a client something on the surface they use: Hermes's deferred
 * replies, orchestration notices (plan sent back, project complete) and status digests. Each surface
 * (bot/slack, bot/email, bot/discord) implements it; delivery goes through the outbox under the notice's
 * effect id, so a retried delivery never posts twice.
 */
import type { OutgoingFile } from './chat-transport.js';
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
  /** Files the notice sends (a completed project's workspace); the outbox keeps only these references. */
  attachments?: NoticeAttachment[];
}

/** A file a notice refers to: its bytes are made when the notice is delivered, never stored with it. */
export interface NoticeAttachment {
  kind: 'workspace_archive';
  projectId: string;
}

/** Makes the files notices refer to (the composition root wires the workspaces' archiver). */
export interface NoticeFiles {
  /** The file, or null when it cannot be sent (no workspace, or too large to send: the notice says where to get it). */
  resolve(attachment: NoticeAttachment): Promise<OutgoingFile | null>;
}

export interface SurfaceNotifier {
  readonly surface: Surface;
  /**
   * Posts the notice (once per effect id), with the files its attachments resolved to (none when it has
   * none). Resolves when delivered or already delivered.
   */
  deliver(notice: ClientNotice, files?: readonly OutgoingFile[]): Promise<void>;
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
