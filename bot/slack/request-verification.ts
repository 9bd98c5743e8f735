/**
 * Verifies a Slack request signature (v0 HMAC-SHA256 over `v0:timestamp:body`) and its timestamp.
 * Unlike Bolt's check, a timestamp too far ahead is refused as well as one too old.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const MAX_REQUEST_SKEW_SECONDS = 5 * 60;

export type Verification = { ok: true } | { ok: false; reason: string };

export interface SignedRequest {
  rawBody: string;
  timestamp: string | undefined;
  signature: string | undefined;
}

export function verifySlackRequest(
  request: SignedRequest,
  signingSecret: string,
  nowSeconds: number = Math.floor(Date.now() / 1000),
): Verification {
  const { timestamp, signature } = request;
  if (!timestamp || !signature) {
    return { ok: false, reason: 'missing X-Slack-Request-Timestamp or X-Slack-Signature header' };
  }
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'the request timestamp is not a number' };
  const skew = nowSeconds - Number(timestamp);
  if (skew > MAX_REQUEST_SKEW_SECONDS) {
    return { ok: false, reason: 'the request timestamp is more than 5 minutes old' };
  }
  if (skew < -MAX_REQUEST_SKEW_SECONDS) {
    return { ok: false, reason: 'the request timestamp is more than 5 minutes ahead' };
  }
  const expected = Buffer.from(
    `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${request.rawBody}`).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'the request signature does not match' };
  }
  return { ok: true };
}
