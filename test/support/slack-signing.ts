/** Signs requests the way Slack does (v0 HMAC-SHA256) and posts them to a receiver. */
import { createHmac } from 'node:crypto';

export interface SignOptions {
  secret: string;
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  headers?: Record<string, string>;
}

export function slackSignature(body: string, secret: string, timestamp: number): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export function signedHeaders(body: string, options: SignOptions): Record<string, string> {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  return {
    'x-slack-request-timestamp': String(timestamp),
    'x-slack-signature': slackSignature(body, options.secret, timestamp),
    ...options.headers,
  };
}

/** An Events API delivery (JSON body). */
export function postEvent(url: string, payload: unknown, options: SignOptions): Promise<Response> {
  const body = JSON.stringify(payload);
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...signedHeaders(body, options) },
    body,
  });
}

/** An interaction (block_actions, view_submission): form-encoded `payload=<json>`. */
export function postInteraction(url: string, payload: unknown, options: SignOptions): Promise<Response> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return postForm(url, body, options);
}

export function postForm(url: string, body: string, options: SignOptions): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...signedHeaders(body, options) },
    body,
  });
}
