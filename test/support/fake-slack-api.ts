/**
 * A recording fake of the Slack Web API on 127.0.0.1: answers like Slack for the methods Olympus uses
 * (auth.test, chat.postMessage, chat.update — which changes the stored message —, conversations.open,
 * chat.postEphemeral, views.open, conversations.history, usergroups.users.list, apps.connections.open,
 * chat.getPermalink, and the external file upload: files.getUploadURLExternal, a POST of the bytes to the
 * upload URL it hands out on this server, files.completeUploadExternal), answers 429 on demand, and records
 * every call, with form fields that hold JSON (blocks, metadata, view, files) parsed.
 */
import { createServer, type Server } from 'node:http';
import { isMultipart, readForm } from './form-parts.js';

export interface RecordedCall {
  method: string;
  params: Record<string, unknown>;
  authorization: string | undefined;
  /** True when the fake answered 429. */
  rateLimited?: boolean;
  /** When the call arrived (ms since epoch). */
  at?: number;
}

export interface FakeSlackApi {
  /** Base URL to give the client as `slackApiUrl` (ends in /api/). */
  apiUrl: string;
  calls: RecordedCall[];
  callsOf(method: string): RecordedCall[];
  /** Resolves with the first recorded call (past or future) that matches. */
  waitFor(predicate: (call: RecordedCall) => boolean, timeoutMs?: number): Promise<RecordedCall>;
  /**
   * Answers calls of `method` with 429 and `Retry-After: retryAfterSeconds` (recorded with
   * `rateLimited: true`): the next `times` calls, every `every`-th call, and/or every call to a channel
   * that comes sooner than `perChannelIntervalMs` after the last one it accepted there (like Slack's
   * per-channel posting rate). Returns a function that removes the rule.
   */
  rateLimit(rule: RateLimitRule): () => void;
  /** Members `usergroups.users.list` answers for a user group. */
  setUsergroup(id: string, users: string[]): void;
  /** The WebSocket URL `apps.connections.open` answers (Socket Mode). */
  setSocketUrl(url: string): void;
  /** The messages a channel holds, oldest first, as `chat.update` left them. */
  messages(channel: string): StoredMessage[];
  /** Files shared by `files.completeUploadExternal` (into `channel` when given), in the order completed. */
  uploads(channel?: string): UploadedFile[];
  /** Answers the next `times` POSTs of bytes to an upload URL with HTTP 500 (nothing is kept). */
  failUploads(times: number): void;
  close(): Promise<void>;
}

/** A file as Slack holds it once its upload was completed. */
export interface UploadedFile {
  fileId: string;
  /** As given to `files.getUploadURLExternal`. */
  filename: string;
  /** The `length` announced to `files.getUploadURLExternal`. */
  length: number;
  /** As given to `files.completeUploadExternal`. */
  title: string | null;
  channel: string | null;
  threadTs: string | null;
  /** The bytes POSTed to the upload URL. */
  data: Buffer;
  /** The content type of the POSTed bytes (of the file part, when they came as multipart/form-data). */
  contentType: string | null;
}

export interface RateLimitRule {
  method: string;
  retryAfterSeconds: number;
  times?: number;
  every?: number;
  perChannelIntervalMs?: number;
}

export interface StoredMessage {
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
  const rules: Array<RateLimitRule & { left: number; seen: number }> = [];
  const lastAccepted = new Map<string, number>();
  const usergroups = new Map<string, string[]>();
  let socketUrl: string | null = null;
  /** Upload tickets handed out, by file id, with the bytes once they are POSTed. */
  const tickets = new Map<
    string,
    { filename: string; length: number; data?: Buffer; contentType: string | null }
  >();
  const uploaded: UploadedFile[] = [];
  let failingUploads = 0;
  let port = 0;

  /** Whether this call is answered 429 under the rate-limit rules. */
  const limited = (method: string, channel: string): RateLimitRule | null => {
    for (const rule of rules) {
      if (rule.method !== method) continue;
      rule.seen += 1;
      if (rule.left > 0) {
        rule.left -= 1;
        return rule;
      }
      if (rule.every !== undefined && rule.seen % rule.every === 0) return rule;
      if (rule.perChannelIntervalMs !== undefined) {
        const key = `${method}:${channel}`;
        const last = lastAccepted.get(key);
        const now = Date.now();
        if (last !== undefined && now - last < rule.perChannelIntervalMs) return rule;
        lastAccepted.set(key, now);
      }
    }
    return null;
  };

  /** `POST /upload/<file id>`: the bytes of a file, raw or as the file part of a multipart form. */
  const receiveUpload = async (fileId: string, raw: Buffer, contentType: string): Promise<number> => {
    const ticket = tickets.get(fileId);
    calls.push({
      method: 'upload',
      params: { file_id: fileId, bytes: raw.length },
      authorization: undefined,
    });
    for (const wake of waiters.splice(0)) wake();
    if (!ticket) return 404;
    if (failingUploads > 0) {
      failingUploads -= 1;
      return 500;
    }
    if (isMultipart(contentType)) {
      const part = (await readForm(raw, contentType)).files[0];
      if (!part) return 400;
      ticket.data = part.data;
      ticket.contentType = part.type || null;
    } else {
      ticket.data = raw;
      ticket.contentType = contentType || null;
    }
    return 200;
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const upload = (req.url ?? '').match(/^\/upload\/([^/?]+)/);
      if (upload) {
        receiveUpload(upload[1]!, Buffer.concat(chunks), req.headers['content-type'] ?? '').then(
          (status) =>
            res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'OK' : 'failed'),
          (error: unknown) => res.writeHead(400, { 'content-type': 'text/plain' }).end(String(error)),
        );
        return;
      }
      const body = Buffer.concat(chunks).toString('utf8');
      const method = (req.url ?? '').replace(/^\/(api\/)?/, '').split('?')[0] ?? '';
      const params = parseParams(body, req.headers['content-type'] ?? '');
      const limitedBy = limited(method, typeof params.channel === 'string' ? params.channel : '');
      calls.push({
        method,
        params,
        authorization: req.headers.authorization,
        at: Date.now(),
        ...(limitedBy ? { rateLimited: true } : {}),
      });
      for (const wake of waiters.splice(0)) wake();
      if (limitedBy) {
        res
          .writeHead(429, {
            'content-type': 'application/json',
            'retry-after': String(limitedBy.retryAfterSeconds),
          })
          .end(JSON.stringify({ ok: false, error: 'ratelimited' }));
        return;
      }
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
        case 'chat.update': {
          const stored = (channels.get(channel) ?? []).find((m) => m.ts === params.ts);
          if (stored) stored.text = params.text;
          reply = { ok: true, channel, ts: params.ts, text: params.text };
          break;
        }
        case 'conversations.open': {
          // The app's DM with one user: a stable channel id per user, as Slack returns the existing DM.
          const user = (typeof params.users === 'string' ? params.users : '').split(',')[0] ?? '';
          reply = user ? { ok: true, channel: { id: `D${user}` } } : { ok: false, error: 'user_not_found' };
          break;
        }
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
        case 'usergroups.users.list': {
          const users = usergroups.get(typeof params.usergroup === 'string' ? params.usergroup : '');
          reply = users ? { ok: true, users } : { ok: false, error: 'no_such_subteam' };
          break;
        }
        case 'apps.connections.open':
          reply = socketUrl ? { ok: true, url: socketUrl } : { ok: false, error: 'invalid_auth' };
          break;
        case 'files.getUploadURLExternal': {
          const length = Number(params.length);
          if (typeof params.filename !== 'string' || params.filename === '' || !(length > 0)) {
            reply = { ok: false, error: 'invalid_arguments' };
            break;
          }
          const fileId = `F${String(counter).padStart(8, '0')}`;
          tickets.set(fileId, { filename: params.filename, length, contentType: null });
          reply = { ok: true, upload_url: `http://127.0.0.1:${port}/upload/${fileId}`, file_id: fileId };
          break;
        }
        case 'files.completeUploadExternal': {
          const files = Array.isArray(params.files) ? (params.files as Array<Record<string, unknown>>) : [];
          const found = files.map((file) => ({ file, ticket: tickets.get(String(file.id)) }));
          if (found.length === 0 || found.some(({ ticket }) => ticket?.data === undefined)) {
            reply = { ok: false, error: 'file_not_found' };
            break;
          }
          const shared = found.map(({ file, ticket }) => ({
            fileId: String(file.id),
            filename: ticket!.filename,
            length: ticket!.length,
            title: typeof file.title === 'string' ? file.title : null,
            channel: typeof params.channel_id === 'string' ? params.channel_id : null,
            threadTs: typeof params.thread_ts === 'string' ? params.thread_ts : null,
            data: ticket!.data!,
            contentType: ticket!.contentType,
          }));
          uploaded.push(...shared);
          reply = {
            ok: true,
            files: shared.map((file) => ({ id: file.fileId, name: file.filename, title: file.title })),
          };
          break;
        }
        case 'chat.getPermalink':
          reply = {
            ok: true,
            channel,
            permalink: `https://fake.slack.com/archives/${channel}/p${
              typeof params.message_ts === 'string' ? params.message_ts.replace('.', '') : ''
            }`,
          };
          break;
        default:
          reply = { ok: false, error: 'unknown_method' };
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;

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
    rateLimit(rule) {
      const entry = { ...rule, left: rule.times ?? 0, seen: 0 };
      rules.push(entry);
      return () => {
        const index = rules.indexOf(entry);
        if (index >= 0) rules.splice(index, 1);
      };
    },
    setUsergroup(id, users) {
      usergroups.set(id, users);
    },
    setSocketUrl(url) {
      socketUrl = url;
    },
    messages: (channel) => (channels.get(channel) ?? []).map((message) => ({ ...message })),
    uploads: (channel) =>
      uploaded
        .filter((file) => channel === undefined || file.channel === channel)
        .map((file) => ({ ...file, data: Buffer.from(file.data) })),
    failUploads(times) {
      failingUploads = times;
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
