/**
 * Faults in front of the recording fake Slack Web API: a loopback proxy that forwards every call to it,
 * except that, per Web API method, it can
 * - answer the next calls 429 `ratelimited` with a `Retry-After` (not forwarded: Slack stored nothing);
 * - forward the next calls and then drop the connection, so Slack stored the message but the caller never
 *   learns it (a lost response);
 * - forward calls and hold their responses until released (a slow Slack, or a process killed mid-call).
 * Give clients `apiUrl` instead of the fake's; the fake's recording stays the truth of what Slack holds.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HeldCall {
  method: string;
  /** Lets the held response go to the caller. */
  release(): void;
}

export interface SlackFaultProxy {
  /** Base URL for clients (ends in /api/). */
  apiUrl: string;
  /** The next `count` calls of `method` are answered 429 with `Retry-After: retryAfterSeconds`. */
  rateLimit(method: string, count: number, retryAfterSeconds?: number): void;
  /** The next `count` calls of `method` reach Slack, but their responses are lost (connection reset). */
  loseResponses(method: string, count?: number): void;
  /** Calls of `method` reach Slack, then wait for `release()`; `held` lists them until released. */
  holdResponses(method: string): void;
  /** Stops holding `method` and releases everything held. */
  releaseAll(): void;
  readonly held: HeldCall[];
  /** Resolves once at least `count` calls are held. */
  waitForHeld(count?: number, timeoutMs?: number): Promise<HeldCall[]>;
  readonly stats: { forwarded: number; rateLimited: number; lost: number; held: number };
  close(): Promise<void>;
}

export async function startSlackFaultProxy(upstreamApiUrl: string): Promise<SlackFaultProxy> {
  const rateLimits = new Map<string, { left: number; retryAfter: number }>();
  const losses = new Map<string, number>();
  const holding = new Set<string>();
  const held: HeldCall[] = [];
  const heldWaiters: Array<() => void> = [];
  const stats = { forwarded: 0, rateLimited: 0, lost: 0, held: 0 };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const method = (req.url ?? '').replace(/^\/(api\/)?/, '').split('?')[0] ?? '';
    const limit = rateLimits.get(method);
    if (limit && limit.left > 0) {
      limit.left -= 1;
      stats.rateLimited += 1;
      res
        .writeHead(429, { 'content-type': 'application/json', 'retry-after': String(limit.retryAfter) })
        .end(JSON.stringify({ ok: false, error: 'ratelimited' }));
      return;
    }
    const headers: Record<string, string> = {};
    for (const name of ['content-type', 'authorization']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const upstream = await fetch(new URL(method, upstreamApiUrl), {
      method: req.method ?? 'POST',
      headers,
      ...(body.length > 0 ? { body } : {}),
    });
    const answer = await upstream.text();
    stats.forwarded += 1;
    const lose = losses.get(method) ?? 0;
    if (lose > 0) {
      losses.set(method, lose - 1);
      stats.lost += 1;
      req.socket.destroy();
      return;
    }
    const respond = () =>
      res
        .writeHead(upstream.status, {
          'content-type': upstream.headers.get('content-type') ?? 'application/json',
        })
        .end(answer);
    if (holding.has(method)) {
      stats.held += 1;
      const call: HeldCall = {
        method,
        release: () => {
          const index = held.indexOf(call);
          if (index >= 0) held.splice(index, 1);
          if (!res.destroyed) respond();
        },
      };
      held.push(call);
      for (const wake of heldWaiters.splice(0)) wake();
      return;
    }
    respond();
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) res.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    rateLimit(method, count, retryAfterSeconds = 1) {
      rateLimits.set(method, { left: count, retryAfter: retryAfterSeconds });
    },
    loseResponses(method, count = 1) {
      losses.set(method, count);
    },
    holdResponses(method) {
      holding.add(method);
    },
    releaseAll() {
      holding.clear();
      for (const call of [...held]) call.release();
    },
    held,
    waitForHeld(count = 1, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`fewer than ${count} held Slack calls`)), timeoutMs);
        const check = () => {
          if (held.length >= count) {
            clearTimeout(timer);
            resolve([...held]);
          } else heldWaiters.push(check);
        };
        check();
      });
    },
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        holding.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
