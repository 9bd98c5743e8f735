/**
 * Chat-transport port: the outward half of a surface. Every surface (Slack, Discord, email, the web
 * console) implements it; the outbox that makes each effect happen once is not the transport's business
 * but `handlers/outbox/send-once.ts`'s, which calls these methods under an effect id. No platform type
 * appears here: rich content (Slack blocks, Discord components, mail headers) travels as `extras`, which
 * only the surface's own renderer and transport read.
 */
import type { Surface } from './domain.js';

/** Where a message goes on the surface: a channel (Slack channel or DM, Discord channel, mail address). */
export interface ChatDestination {
  /** Slack channel id, Discord channel id, the recipient's mail address, the console conversation id. */
  channel: string;
  /** The thread inside it: Slack `thread_ts`, Discord message replied to, the mail's `In-Reply-To`. */
  thread?: string | null;
}

/** A message the transport made, as the surface identifies it. */
export interface ChatMessageRef {
  channel: string;
  /** Slack `ts`, Discord message id, mail `Message-ID`. */
  messageId: string;
}

export interface OutgoingMessage {
  /** Plain text (the fallback text where the surface renders richer content). */
  text: string;
  /** Surface-specific rendering, opaque to everyone but that surface (Block Kit blocks, components…). */
  extras?: Readonly<Record<string, unknown>>;
  /**
   * Files sent with the message (a project's deliverables): a Slack file in the message's thread, a Discord
   * attachment, a mail attachment. A surface that cannot carry files (the console) leaves them out; its
   * readers download them where the surface offers them instead.
   */
  files?: readonly OutgoingFile[];
}

/** A file sent with a message. */
export interface OutgoingFile {
  /** The name the recipient sees, e.g. `pocket-digest-workspace.tar.gz`. */
  name: string;
  /** MIME type, e.g. `application/gzip`. */
  contentType: string;
  data: Uint8Array;
  /** A line about the file, shown with it where the surface can (Slack's file title). */
  title?: string;
}

/** A file's bytes as a Buffer over the same memory (no copy), for the SDKs that take Buffers. */
export function fileBytes(file: OutgoingFile): Buffer {
  return Buffer.from(file.data.buffer, file.data.byteOffset, file.data.byteLength);
}

/** The effect a call belongs to: the transport marks what it sends with the id, so `find` can see it. */
export interface ChatEffect {
  effectId: string;
  /** Outbox kind, e.g. `slack.reply`, `discord.notice`, `email.digest`. */
  kind: string;
  /** When the effect was first asked for: a lookup need not search earlier messages. */
  since: Date;
}

export interface ChatTransport {
  readonly surface: Surface;
  /** Sends a new message carrying the effect's id (Slack metadata, Discord nonce, fixed Message-ID). */
  post(effect: ChatEffect, to: ChatDestination, message: OutgoingMessage): Promise<ChatMessageRef>;
  /** Replaces an earlier message's content (a checkpoint card's new state). */
  update(effect: ChatEffect, ref: ChatMessageRef, message: OutgoingMessage): Promise<ChatMessageRef>;
  /** Sends to a person directly (opening the DM where the surface needs one); `userId` is the surface's id. */
  dm(effect: ChatEffect, userId: string, message: OutgoingMessage): Promise<ChatMessageRef>;
  /**
   * After an attempt whose outcome is unknown: the message this effect already made, if the peer has it
   * (null when it has not, or when the surface cannot tell — then the effect is sent again).
   */
  find(effect: ChatEffect, to: ChatDestination | { userId: string }): Promise<ChatMessageRef | null>;
  /**
   * Runs `work` in the destination's delivery lane, where the surface keeps order and pacing (Slack's one
   * message a second per channel). Surfaces without lanes run it at once.
   */
  inLane<T>(to: ChatDestination | { userId: string }, work: () => Promise<T>): Promise<T>;
}
