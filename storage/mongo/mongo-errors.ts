/** Mapping of driver errors to Olympus errors, and a safe description of the connection target. */
import {
  MongoClientClosedError,
  MongoError,
  MongoNetworkError,
  MongoNotConnectedError,
  MongoServerClosedError,
  MongoServerSelectionError,
  MongoTopologyClosedError,
} from 'mongodb';
import { OlympusError, errorMessage } from '../../common/errors.js';

const DUPLICATE_KEY = 11000;

/** E11000: an insert or upsert hit a unique index. */
export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoError && error.code === DUPLICATE_KEY;
}

/** The server could not be reached or is changing primaries: a retry later may succeed. */
export function isUnavailable(error: unknown): boolean {
  if (
    error instanceof MongoNetworkError ||
    error instanceof MongoServerSelectionError ||
    error instanceof MongoNotConnectedError ||
    error instanceof MongoTopologyClosedError ||
    error instanceof MongoServerClosedError ||
    error instanceof MongoClientClosedError
  ) {
    return true;
  }
  return error instanceof MongoError && error.hasErrorLabel('RetryableWriteError');
}

/**
 * Hosts and database of a connection string, without user name or password, e.g.
 * `mongodb+srv://cluster0.example.net/olympus`. Never throws.
 */
export function describeTarget(uri: string): string {
  const scheme = /^([a-z+]+):\/\//i.exec(uri);
  const prefix = scheme ? `${scheme[1]}://` : '';
  let rest = scheme ? uri.slice(scheme[0].length) : uri;
  const pathStart = rest.indexOf('/');
  const authority = pathStart === -1 ? rest : rest.slice(0, pathStart);
  const at = authority.lastIndexOf('@');
  const hosts = at === -1 ? authority : authority.slice(at + 1);
  rest = pathStart === -1 ? '' : rest.slice(pathStart);
  const query = rest.indexOf('?');
  const path = query === -1 ? rest : rest.slice(0, query);
  return `${prefix}${hosts || 'localhost'}${path === '/' ? '' : path}`;
}

export function unavailable(target: string, error: unknown): OlympusError {
  return new OlympusError(
    'STORE_UNAVAILABLE',
    `MongoDB at ${target} is unavailable: ${errorMessage(error)}`,
    {
      retryable: true,
      cause: error,
      userMessage: 'Our database is not reachable right now. Please try again in a minute.',
    },
  );
}

export function conflict(message: string, cause?: unknown, details?: Record<string, unknown>): OlympusError {
  return new OlympusError('STORE_CONFLICT', message, {
    cause,
    details,
    userMessage: 'That conflicts with something that already exists.',
  });
}

/** Driver errors that mean "unavailable" become STORE_UNAVAILABLE; everything else passes unchanged. */
export function translateError(target: string, error: unknown): unknown {
  if (error instanceof OlympusError) return error;
  if (isUnavailable(error)) return unavailable(target, error);
  return error;
}

/**
 * Wraps every method of a repository: `beforeEach` runs first (the store uses it to (re)connect), and
 * driver errors are translated (see `translateError`). Methods keep their `this`; other properties
 * pass through.
 */
export function guardRepository<T extends object>(
  repository: T,
  target: string,
  beforeEach: () => Promise<void>,
): T {
  return new Proxy(repository, {
    get(object, property, receiver): unknown {
      const value: unknown = Reflect.get(object, property, receiver);
      if (typeof value !== 'function') return value;
      const method = value as (...args: unknown[]) => unknown;
      return async (...args: unknown[]): Promise<unknown> => {
        try {
          await beforeEach();
          return await method.apply(object, args);
        } catch (error) {
          throw translateError(target, error);
        }
      };
    },
  });
}
