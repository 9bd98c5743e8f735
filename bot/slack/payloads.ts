/**
 * Every request body Slack sends to /slack/events, validated with zod, with the natural key under which
 * it is stored in the inbox. Anything that does not parse is refused before it touches state.
 */
import { z } from 'zod';
import { CREDENTIAL_CALLBACK, REDACTED_VALUE } from './checkpoint-modals.js';

const id = z.string().min(1);

const urlVerification = z.object({ type: z.literal('url_verification'), challenge: z.string() });

const eventCallback = z
  .object({
    type: z.literal('event_callback'),
    event_id: id,
    team_id: id,
    event: z.object({ type: id }).loose(),
  })
  .loose();

const blockAction = z
  .object({ action_id: id, action_ts: id, block_id: z.string().optional(), value: z.string().optional() })
  .loose();

const blockActions = z
  .object({
    type: z.literal('block_actions'),
    team: z.object({ id }).loose(),
    user: z.object({ id, username: z.string().optional() }).loose(),
    trigger_id: id,
    channel: z.object({ id }).loose().optional(),
    actions: z.array(blockAction).min(1),
  })
  .loose();

const inputValue = z.object({ type: z.string(), value: z.string().nullable().optional() }).loose();

const viewSubmission = z
  .object({
    type: z.literal('view_submission'),
    team: z.object({ id }).loose(),
    user: z.object({ id }).loose(),
    view: z
      .object({
        id,
        callback_id: id,
        private_metadata: z.string(),
        state: z.object({ values: z.record(z.string(), z.record(z.string(), inputValue)) }),
      })
      .loose(),
  })
  .loose();

const slashCommand = z
  .object({ command: id, text: z.string(), team_id: id, user_id: id, channel_id: id, trigger_id: id })
  .loose();

export type EventCallback = z.infer<typeof eventCallback>;
export type BlockActions = z.infer<typeof blockActions>;
export type ViewSubmission = z.infer<typeof viewSubmission>;
export type SlashCommand = z.infer<typeof slashCommand>;

export type SlackRequest =
  | { kind: 'url_verification'; challenge: string }
  | { kind: 'ssl_check' }
  | { kind: 'event'; key: string; body: EventCallback }
  | { kind: 'block_actions'; key: string; body: BlockActions }
  | { kind: 'view_submission'; key: string; body: ViewSubmission }
  | { kind: 'command'; key: string; body: SlashCommand };

/** A request that is stored in the inbox and processed (everything but the handshakes). */
export type StoredRequest = Exclude<SlackRequest, { kind: 'url_verification' | 'ssl_check' }>;

export type ParseResult = { ok: true; request: SlackRequest } | { ok: false; reason: string };

/** Parses a verified body by its content type: JSON (events) or form-encoded (interactions, commands). */
export function parseSlackRequest(rawBody: string, contentType: string): ParseResult {
  try {
    if (contentType.includes('application/json')) return fromJson(JSON.parse(rawBody));
    if (contentType.includes('application/x-www-form-urlencoded')) {
      const form = new URLSearchParams(rawBody);
      if (form.has('ssl_check')) return { ok: true, request: { kind: 'ssl_check' } };
      const payload = form.get('payload');
      if (payload !== null) return fromInteraction(JSON.parse(payload));
      return fromCommand(Object.fromEntries(form));
    }
    return { ok: false, reason: `unsupported content type ${contentType || '(none)'}` };
  } catch (error) {
    return { ok: false, reason: `the body is not valid: ${(error as Error).message}` };
  }
}

/**
 * What the inbox keeps of a request: the body, except that a submitted credential (the Provide credential
 * modal) has every input value replaced, so the secret never reaches the database. The listener gets the
 * original body in memory; a replay from the inbox finds no value and asks for it again.
 */
export function inboxPayload(request: StoredRequest): unknown {
  if (request.kind !== 'view_submission' || request.body.view.callback_id !== CREDENTIAL_CALLBACK) {
    return request.body;
  }
  const values = Object.fromEntries(
    Object.entries(request.body.view.state.values).map(([blockId, inputs]) => [
      blockId,
      Object.fromEntries(
        Object.entries(inputs).map(([actionId, input]) => [actionId, { ...input, value: REDACTED_VALUE }]),
      ),
    ]),
  );
  return { ...request.body, view: { ...request.body.view, state: { ...request.body.view.state, values } } };
}

/** The request of a Socket Mode envelope (`events_api`, `interactive`, `slash_commands`). */
export function parseSocketPayload(type: string, body: unknown): ParseResult {
  try {
    if (type === 'events_api') return fromJson(body);
    if (type === 'interactive') return fromInteraction(body);
    if (type === 'slash_commands') return fromCommand(body);
    return { ok: false, reason: `unsupported Socket Mode envelope type ${type}` };
  } catch (error) {
    return { ok: false, reason: `the body is not valid: ${(error as Error).message}` };
  }
}

/** Rebuilds the request of an inbox entry (for replaying what a crash left unfinished). */
export function requestFromInbox(key: string, payload: unknown): StoredRequest | null {
  const parsed = key.startsWith('slack:event:')
    ? fromJson(payload)
    : key.startsWith('slack:action:') || key.startsWith('slack:view:')
      ? fromInteraction(payload)
      : key.startsWith('slack:command:')
        ? fromCommand(payload)
        : null;
  if (!parsed?.ok || !('key' in parsed.request) || parsed.request.key !== key) return null;
  return parsed.request;
}

function fromJson(data: unknown): ParseResult {
  const verification = urlVerification.safeParse(data);
  if (verification.success) {
    return { ok: true, request: { kind: 'url_verification', challenge: verification.data.challenge } };
  }
  const parsed = eventCallback.safeParse(data);
  if (!parsed.success) return invalid('event', parsed.error);
  return {
    ok: true,
    request: { kind: 'event', key: `slack:event:${parsed.data.event_id}`, body: parsed.data },
  };
}

function fromInteraction(data: unknown): ParseResult {
  const type = (data as { type?: unknown } | null)?.type;
  if (type === 'block_actions') {
    const parsed = blockActions.safeParse(data);
    if (!parsed.success) return invalid('block_actions', parsed.error);
    const { team, user, actions } = parsed.data;
    const action = actions[0]!;
    const key = `slack:action:${team.id}:${user.id}:${action.action_ts}:${action.action_id}`;
    return { ok: true, request: { kind: 'block_actions', key, body: parsed.data } };
  }
  if (type === 'view_submission') {
    const parsed = viewSubmission.safeParse(data);
    if (!parsed.success) return invalid('view_submission', parsed.error);
    const { team, user, view } = parsed.data;
    const key = `slack:view:${team.id}:${user.id}:${view.id}`;
    return { ok: true, request: { kind: 'view_submission', key, body: parsed.data } };
  }
  return { ok: false, reason: `unsupported interaction type ${JSON.stringify(type ?? null)}` };
}

function fromCommand(data: unknown): ParseResult {
  const parsed = slashCommand.safeParse(data);
  if (!parsed.success) return invalid('slash command', parsed.error);
  const key = `slack:command:${parsed.data.team_id}:${parsed.data.user_id}:${parsed.data.trigger_id}`;
  return { ok: true, request: { kind: 'command', key, body: parsed.data } };
}

function invalid(what: string, error: z.ZodError): ParseResult {
  const issue = error.issues[0];
  const where = issue ? issue.path.join('.') || '(root)' : '(root)';
  return { ok: false, reason: `malformed ${what} payload at ${where}: ${issue?.message ?? 'invalid'}` };
}
