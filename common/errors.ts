/**
 * Every error Olympus raises on purpose carries a stable code, whether a retry may help, a cause, and a
 * separate message fit to show a chat user. Check errors by `code` (see `hasCode`), never by `instanceof`.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'STORE_UNAVAILABLE'
  | 'STORE_CONFLICT'
  | 'NOT_FOUND'
  | 'VALIDATION'
  | 'FENCED'
  | 'SCHEDULER_UNAVAILABLE'
  | 'SERVER_UNREACHABLE'
  | 'FORBIDDEN'
  | 'SURFACE_UNAVAILABLE'
  | 'LLM_UNAVAILABLE'
  | 'LLM_OUTPUT_INVALID'
  | 'LLM_LOCAL_ONLY'
  | 'AGENT_STEP_LIMIT'
  | 'VAULT_UNAVAILABLE'
  | 'VAULT_KEY_INVALID'
  | 'VAULT_INTEGRITY'
  | 'SECRET_NOT_FOUND'
  | 'SECRET_EXISTS'
  | 'SECRET_DISABLED'
  | 'SECRET_DESTROYED'
  | 'INTERNAL';

export interface OlympusErrorOptions {
  userMessage?: string;
  retryable?: boolean;
  cause?: unknown;
  details?: Record<string, unknown>;
}

export class OlympusError extends Error {
  readonly code: ErrorCode;
  readonly userMessage: string;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: OlympusErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OlympusError';
    this.code = code;
    this.userMessage = options.userMessage ?? 'Something went wrong on our side. Please try again shortly.';
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
  }
}

export function hasCode(error: unknown, code: ErrorCode): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
