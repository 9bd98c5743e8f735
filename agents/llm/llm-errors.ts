/** Shared helpers of the adapters: error mapping, Retry-After, per-request signals. */
import { errorMessage, OlympusError } from '../../common/errors.js';
import type { ProviderName } from './llm-settings.js';

const PROVIDER_DOWN_MESSAGE =
  "I couldn't reach a language model just now. Your message is kept and I'll get back to you shortly.";

/**
 * Milliseconds to wait from a `Retry-After` header (delta-seconds or an HTTP date) or a `retry-after-ms`
 * header; null when absent or unreadable.
 */
export function parseRetryAfter(
  headers: { get(name: string): string | null } | undefined,
  now: number = Date.now(),
): number | null {
  if (!headers) return null;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.ceil(Number(ms));
  const value = headers.get('retry-after')?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  if (Number.isNaN(date)) return null;
  return Math.max(0, date - now);
}

/** 408, 409, 429 and 5xx may pass on a retry; other 4xx will not. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

export interface ProviderFailure {
  provider: ProviderName;
  /** HTTP status, or null when no answer came (connection refused, timeout). */
  status: number | null;
  retryAfterMs?: number | null;
  timedOut?: boolean;
  aborted?: boolean;
  cause?: unknown;
  reason: string;
}

export function providerError(failure: ProviderFailure): OlympusError {
  const retryable =
    failure.aborted === true ? false : failure.status === null ? true : isRetryableStatus(failure.status);
  const what = failure.status === null ? failure.reason : `HTTP ${failure.status}: ${failure.reason}`;
  return new OlympusError('LLM_UNAVAILABLE', `${failure.provider}: ${what}`, {
    retryable,
    cause: failure.cause,
    userMessage: PROVIDER_DOWN_MESSAGE,
    details: {
      provider: failure.provider,
      status: failure.status,
      retryAfterMs: failure.retryAfterMs ?? null,
      timedOut: failure.timedOut === true,
      aborted: failure.aborted === true,
    },
  });
}

export interface AttemptSignal {
  signal: AbortSignal;
  /** True when the time limit (not the caller) ended the request. */
  timedOut(): boolean;
  callerAborted(): boolean;
}

/** The caller's signal combined with this request's time limit. */
export function attemptSignal(caller: AbortSignal | undefined, timeoutMs: number | undefined): AttemptSignal {
  const signals: AbortSignal[] = [];
  const timeout = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
  if (caller) signals.push(caller);
  if (timeout) signals.push(timeout);
  return {
    signal: AbortSignal.any(signals),
    timedOut: () => timeout?.aborted === true && caller?.aborted !== true,
    callerAborted: () => caller?.aborted === true,
  };
}

/** Parses tool-call arguments; null when they are not a JSON object. */
export function parseToolArguments(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/** An error's message with the network code under it (`fetch failed (ECONNREFUSED)`). */
export function describeError(error: unknown): string {
  const message = errorMessage(error);
  const cause = (error as { cause?: { code?: unknown; cause?: { code?: unknown } } } | null)?.cause;
  const code = cause?.code ?? cause?.cause?.code;
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}

export function elapsedSince(started: number): number {
  return Math.round(performance.now() - started);
}
