/**
 * The action hash of a checkpoint: SHA-256 (hex) of the canonical JSON (RFC 8785, `canonicalize`) of
 * `{ v: 1, kind, details }` — the kind of action and every argument the TO is shown. Title and summary
 * are prose about the action, not part of it. A decision names the hash it saw; when the stored hash
 * differs (the arguments changed since the card was posted), the decision is refused.
 */
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { CheckpointKind, CheckpointRequest } from '../../ports/store.js';

export const ACTION_HASH_PATTERN = /^[0-9a-f]{64}$/;

export function actionHash(kind: CheckpointKind, details: Record<string, unknown>): string {
  const canonical = canonicalize({ v: 1, kind, details }) ?? '';
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/** The stored hash, or for a checkpoint stored without one, the hash of its current request. */
export function currentActionHash(checkpoint: { kind: CheckpointKind; request: CheckpointRequest }): string {
  return checkpoint.request.actionHash ?? actionHash(checkpoint.kind, checkpoint.request.details);
}
