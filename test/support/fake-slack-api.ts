/**
 * A recording fake of the Slack Web API on 127.0.0.1: answers like Slack for the methods Olympus uses
 * (auth.test, chat.postMessage, chat.update, chat.postEphemeral, views.open, conversations.history) and
 * records every call, with form fields that hold JSON (blocks, metadata, view) parsed.
 */
import { createServer, type Server } from 'node:http';

export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  authorization: string | undefined;
}

export interface FakeSlackApi {
  /** Base URL to give the client as `slackApiUrl` (ends in /api/). */
  apiUrl: string;
  calls: RecordedCall[];
  callsOf(method: string): RecordedCall[];
  /** Resolves with the first recorded call (past or future) that matches. */
  waitFor(predicate: (call: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  close(): Promise<void>;
}

interface StoredMessage {
  ts: string;
  text: unknown;
  metadata: unknown;
  threadTs: unknown;
}

export async function startFakeSlackApi(): Promise<FakeSlackApi> {
  const calls: RecordedCall[] = [];
  const waiters: Array<() => void> = [];
  const channels = new Map<string, StoredMessage[]>();
  let counter = 0;

  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/(api\/)?/, '').split('?')[0] ?? '';
      const params = parseParams(body, req.headers['content-type'] ?? '');
      calls.push({ method, params, authorization: req.headers.authorization });
      for (const wake of waiters.splice(0)) wake();
      counter += 1;
      const ts = `${Math.floor(Date.now() / 1000)}.${String(counter).padStart(6, '0')}`;
      const channel = typeof params.channel === 'string' ? params.channel : '';
      let reply: Record<string, unknown>;
      switch (method) {
        case 'auth.test':
          reply = {
            ok: true,
            url: 'https://fake.slack/',
            team: 'T',
            user: 'bot',
            team_id: 'T0001',
            user_id: 'U0BOT',
            bot_id: 'B0BOT',
          };
          break;
        case 'chat.postMessage': {
          const list = channels.get(channel) ?? [];
          list.push({ ts, text: params.text, metadata: params.metadata, threadTs: params.thread_ts });
          channels.set(channel, list);
          reply = { ok: true, channel, ts, message: { ts, text: params.text, metadata: params.metadata } };
          break;
        }
        case 'chat.update':
          reply = { ok: true, channel, ts: params.ts, text: params.text };
          break;
        case 'chat.postEphemeral':
          reply = { ok: true, message_ts: ts };
          break;
        case 'views.open':
          reply = { ok: true, view: { id: `V${counter}`, ...(params.view as object) } };
          break;
        case 'conversations.replies':
          reply = {
            ok: true,
            messages: (channels.get(channel) ?? []).filter(
              (m) => m.ts === params.ts || m.threadTs === params.ts,
            ),
            has_more: false,
          };
          break;
        case 'conversations.history':
          reply = { ok: true, messages: [...(channels.get(channel) ?? [])].reverse(), has_more: false };
          break;
        default:
          reply = { ok: false, error: 'unknown_method' };
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;

  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    calls,
    callsOf: (method) => calls.filter((call) => call.method === method),
    waitFor(predicate, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('expected Slack call not seen in time')), timeoutMs);
        const check = () => {
          const found = calls.find(predicate);
          if (found) {
            clearTimeout(timer);
            resolve(found);
          } else {
            waiters.push(check);
          }
        };
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function parseParams(body: string, contentType: string): Record<string, unknown> {
  if (body === '') return {};
  const raw: Record<string, unknown> = contentType.includes('json')
    ? (JSON.parse(body) as Record<string, unknown>)
    : Object.fromEntries(new URLSearchParams(body));
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string' && /^[[{]/.test(value)) {
      try {
        raw[key] = JSON.parse(value);
      } catch {
        // not JSON after all: keep the string
      }
    }
  }
  return raw;
}
