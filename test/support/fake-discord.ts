/**
 * A fake Discord on loopback for the real discord.js client: the REST routes the surface calls (every call
 * recorded) and a JSON gateway over WebSocket (HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeat ACKs).
 * `GET /api/v10/gateway/bot` hands out the gateway URL and answers 401 to any other token. Messages
 * posted with `enforce_nonce` are folded into the first one with the same nonce, as Discord does; a
 * message can be edited (PATCH) and can start one thread, which has the message's id. A message create may
 * come as multipart/form-data (`payload_json` plus `files[n]` parts, as discord.js sends files): the message
 * keeps the files as its attachments (`held()` gives their names and bytes).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { isMultipart, readForm, type FormFile } from './form-parts.js';

export interface RestCall {
  method: string;
  path: string;
  auth: string | undefined;
  /** The JSON body, or `payload_json` of a multipart one. */
  body: Record<string, unknown> | undefined;
  /** The file parts of a multipart body. */
  files?: FormFile[];
}

interface StoredMessage {
  id: string;
  channel_id: string;
  content: string;
  author: Record<string, unknown>;
  nonce?: string;
  message_reference?: unknown;
  components?: unknown[];
  /** Files sent with the message (multipart `files[n]` parts, described by `attachments` in `payload_json`). */
  attachments?: StoredAttachment[];
}

interface StoredAttachment {
  id: string;
  filename: string;
  description: string | null;
  contentType: string | null;
  data: Buffer;
}

/** A file a message carries, as the fake holds it. */
export interface HeldAttachment {
  filename: string;
  description: string | null;
  contentType: string | null;
  data: Buffer;
}

export const BOT_USER = {
  id: '100000000000000001',
  username: 'hermes',
  discriminator: '0',
  global_name: null,
  avatar: null,
  bot: true,
};
export const HUMAN_USER = {
  id: '100000000000000002',
  username: 'alice',
  discriminator: '0',
  global_name: 'Alice',
  avatar: null,
};
export const GUILD_ID = '200000000000000001';
export const PROJECTS_CHANNEL = '300000000000000001';
export const DM_CHANNEL = '300000000000000009';

export interface FakeDiscord {
  apiUrl: string;
  token: string;
  calls: RestCall[];
  /** Sends a gateway dispatch (op 0) to the connected client. */
  dispatch(type: string, data: unknown): void;
  /**
   * An INTERACTION_CREATE payload: `author` (default Alice) pressed the button `customId` under the DM
   * message `messageId`.
   */
  buttonPress(
    customId: string,
    messageId: string,
    options?: { id?: string; author?: Record<string, unknown> },
  ): Record<string, unknown>;
  /** Takes an interaction's token (a recorded INTERACTION_CREATE replayed as is) for its callback. */
  acceptInteraction(id: string, token: string): void;
  /** Interaction callbacks received (POST /interactions/<id>/<token>/callback), in order. */
  interactionCallbacks(): RestCall[];
  /** A MESSAGE_CREATE payload for a DM from `author` (default Alice). */
  directMessage(
    content: string,
    options?: { id?: string; author?: Record<string, unknown> },
  ): Record<string, unknown>;
  nextId(): string;
  /** Resolves with the first recorded REST call matching (already made or yet to come). */
  waitForCall(match: (call: RestCall) => boolean): Promise<RestCall>;
  posts(channelId: string): RestCall[];
  /** The messages a channel holds, oldest first, with their latest content (edits applied). */
  held(
    channelId: string,
  ): Array<{ id: string; content: string; replyTo: string | null; attachments: HeldAttachment[] }>;
  /** The DM channel opened with a user, if one was. */
  dmChannel(userId: string): string | undefined;
  /** Closes every gateway connection with a resumable code (4000), as a Discord hiccup does. */
  dropGateway(): void;
  /** Resolves once the gateway has seen `count` IDENTIFY or RESUME sessions in all. */
  sessions(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeDiscord(token = 'fake-discord-token'): Promise<FakeDiscord> {
  let snowflake = 400000000000000000n;
  const nextId = () => String(++snowflake);
  const calls: RestCall[] = [];
  const waiters: Array<(call: RestCall) => void> = [];
  const messages: StoredMessage[] = [];
  const interactionTokens = new Map<string, string>();
  const dmChannels = new Map<string, string>();
  const acknowledged = new Set<string>();
  const startedThreads = new Set<string>();
  const sockets = new Set<WebSocket>();
  let seq = 0;
  let sessionCount = 0;
  const sessionWaiters: Array<() => void> = [];
  const sessionStarted = () => {
    sessionCount += 1;
    for (const waiter of sessionWaiters.splice(0)) waiter();
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      requestBody(Buffer.concat(chunks), req.headers['content-type']).then(
        ({ body, files }) => respond(req, res, body, files),
        (error: unknown) =>
          res
            .writeHead(400, { 'content-type': 'application/json' })
            .end(JSON.stringify({ message: `unreadable body (fake): ${String(error)}`, code: 50109 })),
      );
    });
  });

  const respond = (
    req: http.IncomingMessage,
    res: http.ServerResponse,
    parsed: Record<string, unknown> | undefined,
    files: FormFile[],
  ): unknown => {
    const path = (req.url ?? '').split('?')[0] ?? '';
    const call: RestCall = {
      method: req.method ?? '',
      path,
      auth: req.headers.authorization,
      body: parsed,
      ...(files.length > 0 ? { files } : {}),
    };
    calls.push(call);
    for (const waiter of waiters.splice(0)) waiter(call);
    const json = (status: number, value: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    // Interaction callbacks are authorised by the interaction token in the path, not the bot token.
    const callback = path.match(/^\/api\/v10\/interactions\/(\d+)\/([^/]+)\/callback$/);
    if (call.method === 'POST' && callback) {
      if (interactionTokens.get(callback[1]!) !== callback[2]) {
        return json(401, { message: 'Invalid interaction token', code: 50027 });
      }
      if (acknowledged.has(callback[1]!)) {
        return json(400, { message: 'Interaction has already been acknowledged.', code: 40060 });
      }
      acknowledged.add(callback[1]!);
      return res.writeHead(204).end();
    }
    if (call.auth !== `Bot ${token}`) return json(401, { message: '401: Unauthorized', code: 0 });
    const port = (server.address() as AddressInfo).port;
    if (call.method === 'GET' && path === '/api/v10/users/@me') return json(200, BOT_USER);
    if (call.method === 'GET' && path === '/api/v10/gateway/bot') {
      return json(200, {
        url: `ws://127.0.0.1:${port}`,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 999, reset_after: 0, max_concurrency: 1 },
      });
    }
    let m: RegExpMatchArray | null;
    if (call.method === 'POST' && (m = path.match(/^\/api\/v10\/channels\/(\d+)\/messages$/))) {
      const body = call.body ?? {};
      const nonce = typeof body.nonce === 'string' ? body.nonce : undefined;
      const same =
        body.enforce_nonce === true
          ? messages.find((x) => x.nonce === nonce && x.channel_id === m![1])
          : undefined;
      if (same) return json(200, messageObject(same));
      const stored: StoredMessage = {
        id: nextId(),
        channel_id: m[1]!,
        content: typeof body.content === 'string' ? body.content : '',
        author: BOT_USER,
        ...(nonce ? { nonce } : {}),
        ...(body.message_reference ? { message_reference: body.message_reference } : {}),
        ...(Array.isArray(body.components) ? { components: body.components } : {}),
        ...(files.length > 0 ? { attachments: storedAttachments(body, files, nextId) } : {}),
      };
      messages.push(stored);
      return json(200, messageObject(stored));
    }
    if (call.method === 'PATCH' && (m = path.match(/^\/api\/v10\/channels\/(\d+)\/messages\/(\d+)$/))) {
      const edited = messages.find((x) => x.id === m![2] && x.channel_id === m![1]);
      if (!edited) return json(404, { message: 'Unknown Message', code: 10008 });
      const body = call.body ?? {};
      if (typeof body.content === 'string') edited.content = body.content;
      if (Array.isArray(body.components)) edited.components = body.components;
      return json(200, messageObject(edited));
    }
    if (call.method === 'GET' && (m = path.match(/^\/api\/v10\/channels\/(\d+)\/messages$/))) {
      const listed = messages.filter((x) => x.channel_id === m![1]).reverse();
      return json(
        200,
        listed.map(({ nonce: _nonce, ...rest }) => messageObject(rest)),
      );
    }
    if (call.method === 'POST' && path === '/api/v10/users/@me/channels') {
      const recipient = typeof call.body?.recipient_id === 'string' ? call.body.recipient_id : '';
      const channel = recipient === HUMAN_USER.id ? DM_CHANNEL : (dmChannels.get(recipient) ?? nextId());
      dmChannels.set(recipient, channel);
      return json(200, {
        id: channel,
        type: 1,
        last_message_id: null,
        recipients: [{ ...HUMAN_USER, id: recipient }],
      });
    }
    if (
      call.method === 'POST' &&
      (m = path.match(/^\/api\/v10\/channels\/(\d+)\/messages\/(\d+)\/threads$/))
    ) {
      // A thread started from a message has the message's id; a message has one thread at most.
      const starter = messages.find((x) => x.id === m![2] && x.channel_id === m![1]);
      if (!starter) return json(404, { message: 'Unknown Message', code: 10008 });
      if (startedThreads.has(starter.id)) {
        return json(400, { message: 'A thread has already been created for this message', code: 160004 });
      }
      startedThreads.add(starter.id);
      return json(201, {
        id: starter.id,
        type: 11,
        guild_id: GUILD_ID,
        parent_id: m[1],
        name: call.body?.name,
      });
    }
    if (call.method === 'POST' && (m = path.match(/^\/api\/v10\/channels\/(\d+)\/threads$/))) {
      return json(201, {
        id: nextId(),
        type: 11,
        guild_id: GUILD_ID,
        parent_id: m[1],
        name: call.body?.name,
      });
    }
    json(404, { message: 'Unknown route (fake)', code: 0 });
  };

  const wss = new WebSocketServer({ server });
  const send = (socket: WebSocket, payload: unknown) => socket.send(JSON.stringify(payload));
  const dispatch = (type: string, data: unknown) => {
    for (const socket of sockets) send(socket, { op: 0, t: type, s: ++seq, d: data });
  };
  wss.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    send(socket, { op: 10, d: { heartbeat_interval: 41250 } });
    socket.on('message', (raw: Buffer) => {
      const payload = JSON.parse(raw.toString()) as { op: number; d?: { token?: string } };
      if (payload.op === 1) send(socket, { op: 11 });
      if (payload.op === 6) {
        send(socket, { op: 0, t: 'RESUMED', s: ++seq, d: {} });
        sessionStarted();
      }
      if (payload.op === 2) {
        const port = (server.address() as AddressInfo).port;
        dispatch('READY', {
          v: 10,
          user: BOT_USER,
          guilds: [{ id: GUILD_ID, unavailable: true }],
          session_id: 'session-1',
          resume_gateway_url: `ws://127.0.0.1:${port}`,
          shard: [0, 1],
          application: { id: BOT_USER.id, flags: 0 },
        });
        dispatch('GUILD_CREATE', guild());
        sessionStarted();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    apiUrl: `http://127.0.0.1:${port}/api`,
    token,
    calls,
    dispatch,
    nextId,
    buttonPress(customId, messageId, options = {}) {
      const id = options.id ?? nextId();
      const interactionToken = `interaction-token-${id}`;
      interactionTokens.set(id, interactionToken);
      const user = options.author ?? HUMAN_USER;
      const message = messages.find((candidate) => candidate.id === messageId);
      return {
        id,
        application_id: BOT_USER.id,
        type: 3,
        token: interactionToken,
        version: 1,
        channel_id: DM_CHANNEL,
        channel: { id: DM_CHANNEL, type: 1, recipients: [user] },
        user,
        data: { custom_id: customId, component_type: 2 },
        message: messageObject(
          message ?? { id: messageId, channel_id: DM_CHANNEL, content: '', author: BOT_USER },
        ),
        app_permissions: '0',
        locale: 'en-US',
        entitlements: [],
        authorizing_integration_owners: { '1': user.id },
        context: 1,
        attachment_size_limit: 10485760,
      };
    },
    acceptInteraction(id, token) {
      interactionTokens.set(id, token);
    },
    interactionCallbacks() {
      return calls.filter((call) => /^\/api\/v10\/interactions\//.test(call.path));
    },
    directMessage(content, options = {}) {
      return {
        id: options.id ?? nextId(),
        type: 0,
        channel_id: DM_CHANNEL,
        channel_type: 1,
        content,
        author: options.author ?? HUMAN_USER,
        timestamp: new Date().toISOString(),
        edited_timestamp: null,
        tts: false,
        mention_everyone: false,
        mentions: [],
        mention_roles: [],
        attachments: [],
        embeds: [],
        components: [],
        pinned: false,
      };
    },
    waitForCall(match) {
      return new Promise((resolve) => {
        const found = calls.find(match);
        if (found) return resolve(found);
        const waiter = (call: RestCall) => (match(call) ? resolve(call) : waiters.push(waiter));
        waiters.push(waiter);
      });
    },
    posts(channelId) {
      return calls.filter(
        (call) => call.method === 'POST' && call.path === `/api/v10/channels/${channelId}/messages`,
      );
    },
    held(channelId) {
      return messages
        .filter((message) => message.channel_id === channelId)
        .map((message) => ({
          id: message.id,
          content: message.content,
          replyTo: (message.message_reference as { message_id?: string } | undefined)?.message_id ?? null,
          attachments: (message.attachments ?? []).map((attachment) => ({
            filename: attachment.filename,
            description: attachment.description,
            contentType: attachment.contentType,
            data: Buffer.from(attachment.data),
          })),
        }));
    },
    dmChannel: (userId) => dmChannels.get(userId),
    dropGateway() {
      for (const socket of sockets) socket.close(4000, 'fake hiccup');
    },
    sessions(count) {
      return new Promise((resolve) => {
        const check = () => (sessionCount >= count ? resolve() : sessionWaiters.push(check));
        check();
      });
    },
    async close() {
      for (const socket of sockets) socket.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function messageObject(message: Omit<StoredMessage, 'nonce'> & { nonce?: string }): Record<string, unknown> {
  return {
    ...message,
    type: message.message_reference ? 19 : 0,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    embeds: [],
    pinned: false,
    components: message.components ?? [],
    attachments: (message.attachments ?? []).map((attachment) => ({
      id: attachment.id,
      filename: attachment.filename,
      ...(attachment.description !== null ? { description: attachment.description } : {}),
      ...(attachment.contentType !== null ? { content_type: attachment.contentType } : {}),
      size: attachment.data.length,
      url: `https://cdn.fake-discord.test/attachments/${message.channel_id}/${attachment.id}/${attachment.filename}`,
      proxy_url: `https://media.fake-discord.test/attachments/${message.channel_id}/${attachment.id}/${attachment.filename}`,
    })),
  };
}

/** A JSON body, or a multipart one (`payload_json` plus `files[n]` parts, as discord.js sends files). */
async function requestBody(
  raw: Buffer,
  contentType: string | undefined,
): Promise<{ body: Record<string, unknown> | undefined; files: FormFile[] }> {
  if (raw.length === 0) return { body: undefined, files: [] };
  if (!isMultipart(contentType)) {
    return { body: JSON.parse(raw.toString('utf8')) as Record<string, unknown>, files: [] };
  }
  const form = await readForm(raw, contentType!);
  const payload = form.fields.get('payload_json');
  return {
    body: payload === undefined ? {} : (JSON.parse(payload) as Record<string, unknown>),
    files: form.files,
  };
}

/**
 * The attachments of a message made with files: each `files[n]` part, named and described by the
 * `attachments` entry with id n when there is one (as Discord matches them), else by the part itself.
 */
function storedAttachments(
  body: Record<string, unknown>,
  files: FormFile[],
  nextId: () => string,
): StoredAttachment[] {
  const described = Array.isArray(body.attachments)
    ? (body.attachments as Array<{ id?: unknown; filename?: unknown; description?: unknown }>)
    : [];
  return files.map((file) => {
    const index = file.field.match(/^files\[(\d+)\]$/)?.[1];
    const entry = described.find((candidate) => String(candidate.id) === index);
    return {
      id: nextId(),
      filename: typeof entry?.filename === 'string' ? entry.filename : file.name,
      description: typeof entry?.description === 'string' ? entry.description : null,
      contentType: file.type === '' ? null : file.type,
      data: file.data,
    };
  });
}

function guild(): Record<string, unknown> {
  return {
    id: GUILD_ID,
    name: 'Olympus Test',
    icon: null,
    owner_id: HUMAN_USER.id,
    unavailable: false,
    member_count: 2,
    large: false,
    features: [],
    roles: [
      {
        id: GUILD_ID,
        name: '@everyone',
        permissions: '1071698660929',
        position: 0,
        color: 0,
        hoist: false,
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    emojis: [],
    stickers: [],
    members: [],
    presences: [],
    voice_states: [],
    threads: [],
    stage_instances: [],
    guild_scheduled_events: [],
    channels: [
      {
        id: PROJECTS_CHANNEL,
        type: 0,
        guild_id: GUILD_ID,
        name: 'projects',
        position: 0,
        permission_overwrites: [],
        nsfw: false,
        parent_id: null,
      },
    ],
    joined_at: new Date().toISOString(),
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    mfa_level: 0,
    premium_tier: 0,
    system_channel_flags: 0,
    preferred_locale: 'en-US',
    nsfw_level: 0,
    premium_progress_bar_enabled: false,
  };
}
