/**
 * Maps Google Secret Manager (gRPC) failures to OlympusError codes. Kept apart from the adapter so it has
 * no SDK import and can be tested on its own.
 */
import { OlympusError } from '../../common/errors.js';
import { secretExists, secretNotFound, versionNotEnabled } from '../../ports/vault.js';

/** gRPC status codes (https://grpc.github.io/grpc/core/md_doc_statuscodes.html). */
export const GrpcStatus = {
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  UNAUTHENTICATED: 16,
} as const;

const RETRYABLE: ReadonlySet<number> = new Set([
  GrpcStatus.CANCELLED,
  GrpcStatus.UNKNOWN,
  GrpcStatus.DEADLINE_EXCEEDED,
  GrpcStatus.RESOURCE_EXHAUSTED,
  GrpcStatus.ABORTED,
  GrpcStatus.INTERNAL,
  GrpcStatus.UNAVAILABLE,
]);

export interface GrpcFailureContext {
  operation: string;
  secret: string;
  version?: string;
}

export function grpcCode(error: unknown): number | null {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'number' ? code : null;
}

/** The OlympusError for a failed call; FAILED_PRECONDITION reads the state from the message. */
export function mapSecretManagerError(error: unknown, context: GrpcFailureContext): OlympusError {
  const code = grpcCode(error);
  const { operation, secret, version } = context;
  const details = (error as { details?: unknown } | null)?.details;
  const text = typeof details === 'string' ? details : error instanceof Error ? error.message : '';
  switch (code) {
    case GrpcStatus.NOT_FOUND:
      return withCause(secretNotFound(secret, version), error);
    case GrpcStatus.ALREADY_EXISTS:
      return withCause(secretExists(secret), error);
    case GrpcStatus.FAILED_PRECONDITION:
      return versionNotEnabled(
        secret,
        version ?? '?',
        /DESTROYED/i.test(text) ? 'destroyed' : 'disabled',
        error,
      );
    case GrpcStatus.INVALID_ARGUMENT:
      return new OlympusError('VALIDATION', `Secret Manager refused ${operation} of ${secret}: ${text}`, {
        cause: error,
        userMessage: 'That secret request is not valid.',
      });
    case GrpcStatus.PERMISSION_DENIED:
    case GrpcStatus.UNAUTHENTICATED:
      return new OlympusError(
        'VAULT_UNAVAILABLE',
        `Secret Manager denied ${operation} of ${secret}: ${text}`,
        {
          cause: error,
          retryable: false,
          userMessage: 'The secret vault refused access; an operator needs to check its credentials.',
        },
      );
    default:
      return new OlympusError(
        'VAULT_UNAVAILABLE',
        `Secret Manager ${operation} of ${secret} failed${code === null ? '' : ` (gRPC ${code})`}: ${text}`,
        {
          cause: error,
          retryable: code === null || RETRYABLE.has(code),
          userMessage: 'The secret vault is not reachable right now. Please try again shortly.',
        },
      );
  }
}

function withCause(error: OlympusError, cause: unknown): OlympusError {
  return new OlympusError(error.code, error.message, {
    cause,
    userMessage: error.userMessage,
    retryable: error.retryable,
    details: error.details,
  });
}
