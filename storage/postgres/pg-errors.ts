/**
 * Turns node-postgres failures into OlympusErrors: connection trouble is STORE_UNAVAILABLE (retryable,
 * naming host and port, never the password), constraint trouble is STORE_CONFLICT or VALIDATION.
 */
import { OlympusError } from '../../common/errors.js';

export interface DatabaseTarget {
  host: string;
  port: string;
  database: string;
}

/** Host, port and database of a connection string, for messages; the password never leaves here. */
export function describeTarget(connectionString: string): DatabaseTarget {
  try {
    const url = new URL(connectionString);
    const host = decodeURIComponent(url.hostname) || url.searchParams.get('host') || 'localhost';
    const port = url.port || url.searchParams.get('port') || '5432';
    const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default)';
    return { host, port, database };
  } catch {
    return { host: 'unknown host', port: 'unknown port', database: 'unknown database' };
  }
}

export function targetLabel(target: DatabaseTarget): string {
  return `${target.host}:${target.port}/${target.database}`;
}

const CONNECTION_ERRNOS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'EPIPE',
]);

/** SQLSTATEs meaning the server is not usable right now (connection exceptions, shutdown, overload). */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '53400', '58030']);

const CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'Connection ended unexpectedly',
  'the database system is starting up',
  'the database system is shutting down',
];

interface PgErrorShape {
  code?: unknown;
  constraint?: unknown;
  detail?: unknown;
  message?: unknown;
}

function isOlympusError(error: unknown): error is OlympusError {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'OlympusError';
}

function isConnectionFailure(code: string, message: string): boolean {
  if (CONNECTION_ERRNOS.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08')) return true;
  return CONNECTION_MESSAGES.some((text) => message.includes(text));
}

export function translatePgError(error: unknown, target: DatabaseTarget): OlympusError {
  if (isOlympusError(error)) return error;
  const shape = (typeof error === 'object' && error !== null ? error : {}) as PgErrorShape;
  const code = typeof shape.code === 'string' ? shape.code : '';
  const message = typeof shape.message === 'string' && shape.message ? shape.message : String(error);
  const constraint = typeof shape.constraint === 'string' ? shape.constraint : undefined;
  const details: Record<string, unknown> = { pgCode: code || undefined, constraint };

  if (message.includes('Cannot use a pool after calling end')) {
    return new OlympusError('STORE_UNAVAILABLE', `PostgreSQL store for ${targetLabel(target)} is closed`, {
      cause: error,
      details,
    });
  }
  if (isConnectionFailure(code, message)) {
    return new OlympusError(
      'STORE_UNAVAILABLE',
      `PostgreSQL at ${target.host}:${target.port} (database ${target.database}) is unavailable: ${message}`,
      {
        cause: error,
        retryable: true,
        details,
        userMessage: 'Our database is not reachable right now. Please try again in a moment.',
      },
    );
  }
  if (code === '23505') {
    return new OlympusError(
      'STORE_CONFLICT',
      `duplicate value violates ${constraint ?? 'a unique constraint'}`,
      {
        cause: error,
        details,
      },
    );
  }
  if (code === '40001' || code === '40P01') {
    return new OlympusError('STORE_CONFLICT', `concurrent update: ${message}`, {
      cause: error,
      retryable: true,
      details,
    });
  }
  if (code.startsWith('22') || code.startsWith('23')) {
    return new OlympusError('VALIDATION', `rejected by PostgreSQL: ${message}`, { cause: error, details });
  }
  return new OlympusError('INTERNAL', `PostgreSQL error: ${message}`, { cause: error, details });
}
