/**
 * What the intake keeps in the inbox and how it picks entries up again: the stored payload of a client
 * message, the errors that defer a turn (the language model could not answer; the message is kept and
 * answered later), and which unfinished entries a redrive takes now.
 */
import { z } from 'zod';
import { hasCode, errorMessage, type ErrorCode } from '../../common/errors.js';
import type { InboxEntry } from '../../ports/store.js';
import type { IncomingClientMessage } from './run-intake-turn.js';

export const CLIENT_MESSAGE_KIND = 'client_message';

const SURFACES = ['slack', 'discord', 'email', 'console'] as const;

/** The inbox payload of a client message (what `dispatch` got, text cleaned). */
export const StoredClientMessageSchema = z.object({
  kind: z.literal(CLIENT_MESSAGE_KIND),
  key: z.string().min(1),
  surface: z.enum(SURFACES),
  handle: z.object({ surface: z.enum(SURFACES), externalId: z.string().min(1) }),
  displayName: z.string(),
  threadKey: z.string().min(1),
  text: z.string().min(1),
  noReply: z.string().min(1).optional(),
});

export type StoredClientMessage = z.infer<typeof StoredClientMessageSchema>;

/** What the inbox keeps of a client message (the surface's own `claimed` flag is not kept). */
export function storedMessage(incoming: IncomingClientMessage, text: string): StoredClientMessage {
  const { claimed: _claimed, ...message } = incoming;
  return { kind: CLIENT_MESSAGE_KIND, ...message, text };
}

/**
 * The client message an inbox entry holds: attached to a surface's own entry (a Slack event), or the
 * entry's payload (the intake recorded it itself); null when the entry holds none.
 */
export function clientMessageOf(entry: InboxEntry): StoredClientMessage | null {
  const parsed = StoredClientMessageSchema.safeParse(entry.attached ?? entry.payload);
  return parsed.success ? parsed.data : null;
}

/**
 * A client message whose turn was deferred (the language model could not answer): the `intake.redrive`
 * job answers it later, so a surface replaying or redelivering the event leaves it alone.
 */
export function awaitsRedrive(entry: InboxEntry): boolean {
  if (entry.status !== 'failed' || clientMessageOf(entry) === null) return false;
  return DEFERRING_CODES.some((code) => entry.error?.startsWith(`${code}:`));
}

/** Errors after which the client is told "I'll get back to you" and the entry waits for a redrive. */
export const DEFERRING_CODES: readonly ErrorCode[] = [
  'LLM_UNAVAILABLE',
  'LLM_OUTPUT_INVALID',
  'LLM_LOCAL_ONLY',
];

export function deferringCode(error: unknown): ErrorCode | null {
  return DEFERRING_CODES.find((code) => hasCode(error, code)) ?? null;
}

/** The reason stored on the failed entry: the code first, so a redrive can tell deferred turns apart. */
export function deferredReason(code: ErrorCode, error: unknown): string {
  return `${code}: ${errorMessage(error)}`;
}

/** What Hermes says when the brain could not answer. */
export function deferredReply(code: ErrorCode, error: unknown): string {
  if (code === 'LLM_OUTPUT_INVALID') {
    return "Thanks, I've got your message. I need a little longer to work through it properly; it's kept, and I'll get back to you here shortly.";
  }
  const userMessage = (error as { userMessage?: unknown }).userMessage;
  const detail =
    typeof userMessage === 'string' && userMessage.length > 0
      ? userMessage
      : "I can't answer properly just now. Your message is kept and I'll get back to you shortly.";
  return `Thanks, I've got your message. ${detail}`;
}

export interface RedrivePolicy {
  /** An entry left `processing` longer than this belongs to a dead attempt and is taken over. */
  reclaimAfterMs: number;
  /** Wait after a deferred attempt before the next, doubled per attempt up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** Attempts after which a deferred entry is left alone (and logged). */
  maxAttempts: number;
}

export const DEFAULT_REDRIVE_POLICY: RedrivePolicy = {
  reclaimAfterMs: 15 * 60_000,
  baseDelayMs: 30_000,
  maxDelayMs: 30 * 60_000,
  maxAttempts: 100,
};

/** Whether a redrive takes this unfinished intake entry now. */
export function dueForRedrive(entry: InboxEntry, policy: RedrivePolicy, now: Date): boolean {
  const since = (date: Date | null) => now.getTime() - (date ?? entry.receivedAt).getTime();
  switch (entry.status) {
    case 'received':
      // Recorded but never begun: its dispatch died; give a live dispatch time to begin it.
      return since(entry.receivedAt) >= policy.reclaimAfterMs;
    case 'processing':
      return since(entry.startedAt) >= policy.reclaimAfterMs;
    case 'failed': {
      if (!DEFERRING_CODES.some((code) => entry.error?.startsWith(`${code}:`))) return false;
      if (entry.attempts >= policy.maxAttempts) return false;
      const delay = Math.min(policy.baseDelayMs * 2 ** Math.max(0, entry.attempts - 1), policy.maxDelayMs);
      return since(entry.startedAt) >= delay;
    }
    default:
      return false;
  }
}
