/** Reading a provider's answer body the same way in every adapter: JSON or a clear error, error texts. */
import { OlympusError } from '../../../common/errors.js';
import type { ProviderName } from '../../../ports/llm-provider.js';

const SNIPPET_LENGTH = 200;

/** The start of a body, on one line, for an error message. */
export function bodySnippet(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  if (line === '') return 'an empty body';
  return line.length > SNIPPET_LENGTH ? `${line.slice(0, SNIPPET_LENGTH)}…` : line;
}

/**
 * A success status with a body we cannot use (not JSON, or not the shape the API documents): not
 * retryable, since the same server answers the same way (a wrong base URL, a proxy's login page).
 */
export function unexpectedResponse(
  provider: ProviderName,
  status: number,
  problem: string,
  cause?: unknown,
): OlympusError {
  return new OlympusError('LLM_UNAVAILABLE', `${provider}: unexpected response (${problem})`, {
    retryable: false,
    cause,
    details: { provider, status, retryAfterMs: null, timedOut: false, aborted: false },
  });
}

/** The body parsed as JSON, or an unexpected-response error quoting its start. */
export function parseJsonBody(provider: ProviderName, status: number, text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw unexpectedResponse(provider, status, `the body is not JSON: ${bodySnippet(text)}`, error);
  }
}

/**
 * The message of an error body: `{"error": "…"}` (Ollama), `{"error": {"message": "…"}}` (OpenAI and
 * compatible servers), or the start of the text (a proxy's error page).
 */
export function errorTextOf(text: string, status: number, statusText: string): string {
  try {
    const body = JSON.parse(text) as { error?: unknown } | null;
    const error = body?.error;
    if (typeof error === 'string' && error !== '') return error;
    const message = (error as { message?: unknown } | null | undefined)?.message;
    if (typeof message === 'string' && message !== '') return message;
  } catch {
    // Not JSON: the text itself is the message.
  }
  return text.trim() === '' ? `${status} ${statusText}`.trim() : bodySnippet(text);
}
