/** What the ack bench (slack-ack.ts) and its receiver processes (slack-receivers.ts) share. */
import type { Summary } from './stats.js';

export const SIGNING_SECRET = 'bench-signing-secret';

/** Olympus's receiver; bare Bolt; the durable reference (bare Bolt storing each request before its ack). */
export const RECEIVER_KINDS = ['olympus', 'bolt', 'stored'] as const;
export type ReceiverKind = (typeof RECEIVER_KINDS)[number];

export interface AckBreakdown {
  /** Receiver's own time from the request's arrival to its ack (verify, parse, inbox write). */
  serverAck: Summary;
  /** Each inbox statement, pool wait included. */
  inboxWrite: Summary;
  /** Mean and largest number of events per inbox statement. */
  groupMean: number;
  groupMax: number;
  eventLoopDelayP99: number;
  gcPauseTotal: number;
  gcPauseMax: number;
}

/** Bench → receiver. */
export type ReceiverMessage = { probe: 'start' | 'stop' } | { report: true } | { exit: true };
/** Receiver → bench. */
export type ReceiverReply = { url: string } | { report: AckBreakdown | null };
