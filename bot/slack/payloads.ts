/**
 * Every request body Slack sends to /slack/events, validated with zod, with the natural key under which
 * it is stored in the inbox. Anything that does not parse is refused before it touches state. Each
 * request also says where it comes from (`requestOrigin`): its team, enterprise, the installations it was
 * delivered for and whether its channel is shared with another organisation (workspace-gate.ts).
 */
import { z } from 'zod';
import { CREDENTIAL_CALLBACK, REDACTED_VALUE } from './checkpoint-modals.js';

const id = z.string().min(1);
/** Slack sends a missing enterprise as null, an empty string or not at all. */
const optionalId = z
  .string()
  .nullish()
  .transform((value) => (value ? value : null));

/** An installation an event was delivered for (the Events API's `authorizations`). */
const authorization = z
  .object({ team_id: optionalId, enterprise_id: optionalId, user_id: z.string().optional() })
  .loose();

const urlVerification = z.object({ type: z.literal('url_verification'), challenge: z.string() });

const eventCallback = z
  .object({
    type: z.literal('event_callback'),
    event_id: id,
    team_id: id,
    enterprise_id: optionalId.optional(),
    authorizations: z.array(authorization).optional(),
    is_ext_shared_channel: z.boolean().optional(),
    event: z
      .object({
        type: id,
        // The author's team: `user_team` in shared channels, `team` on messages.
        user_team: z.string().optional(),
        team: z.string().optional(),
      })
      .loose(),
  })
  .loose();

const blockAction = z
  .object({ action_id: id, action_ts: id, block_id: z.string().optional(), value: z.string().optional() })
  .loose();

/** An interaction's team, enterprise and user (with the user's own team, which may differ). */
const team = z.object({ id, enterprise_id: optionalId.optional() }).loose();
const enterprise = z.object({ id }).loose().nullish();
const userSchema = z.object({ id, team_id: z.string().optional() }).loose();

const blockActions = z
  .object({
    type: z.literal('block_actions'),
    team,
    enterprise,
    user: userSchema.extend({ username: z.string().optional() }),
    trigger_id: id,
    channel: z.object({ id }).loose().optional(),
    actions: z.array(blockAction).min(1),
  })
  .loose();

const inputValue = z.object({ type: z.string(), value: z.string().nullable().optional() }).loose();

const viewSubmission = z
  .object({
    type: z.literal('view_submission'),
    team,
    enterprise,
    user: userSchema,
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

/** An options request (`block_suggestion`: an external select asking for its choices). */
const optionsRequest = z
  .object({
    type: z.literal('block_suggestion'),
    team,
    enterprise,
    user: userSchema,
    action_id: id,
    value: z.string().optional(),
  })
  .loose();

const slashCommand = z
  .object({
    command: id,
    text: z.string(),
    team_id: id,
    enterprise_id: optionalId.optional(),
    user_id: id,
    channel_id: id,
    trigger_id: id,
  })
  .loose();

export type EventCallback = z.infer<typeof eventCallback>;
export type BlockActions = z.infer<typeof blockActions>;
export type ViewSubmission = z.infer<typeof viewSubmission>;
export type SlashCommand = z.infer<typeof slashCommand>;
export type OptionsRequest = z.infer<typeof optionsRequest>;

export type SlackRequest =
  | { kind: 'url_verification'; challenge: string }
  | { kind: 'ssl_check' }
  | { kind: 'event'; key: string; body: EventCallback }
  | { kind: 'block_actions'; key: string; body: BlockActions }
  | { kind: 'view_submission'; key: string; body: ViewSubmission }
  | { kind: 'command'; key: string; body: SlashCommand }
  | { kind: 'options'; key: string; body: OptionsRequest };

/**
 * A request that is stored in the inbox and processed (everything but the handshakes). Options requests
 * are the exception: Olympus offers no external select, so the workspace gate answers each one itself
 * with no options, and none is stored.
 */
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
  // Chosen by its type first: a failed parse builds an error, and every event would pay for one.
  if ((data as { type?: unknown } | null)?.type === 'url_verification') {
    const verification = urlVerification.safeParse(data);
    if (!verification.success) return invalid('url_verification', verification.error);
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
  if (type === 'block_suggestion') {
    const parsed = optionsRequest.safeParse(data);
    if (!parsed.success) return invalid('block_suggestion', parsed.error);
    const { team, user, action_id } = parsed.data;
    const key = `slack:options:${team.id}:${user.id}:${action_id}`;
    return { ok: true, request: { kind: 'options', key, body: parsed.data } };
  }
  return { ok: false, reason: `unsupported interaction type ${JSON.stringify(type ?? null)}` };
}

function fromCommand(data: unknown): ParseResult {
  const parsed = slashCommand.safeParse(data);
  if (!parsed.success) return invalid('slash command', parsed.error);
  const key = `slack:command:${parsed.data.team_id}:${parsed.data.user_id}:${parsed.data.trigger_id}`;
  return { ok: true, request: { kind: 'command', key, body: parsed.data } };
}

/** Where a request comes from, as its payload says. */
export interface RequestOrigin {
  /** The team (workspace) the request was sent from. */
  teamId: string;
  enterpriseId: string | null;
  /** The installations an event was delivered for (events only; empty otherwise). */
  authorizations: Array<{ teamId: string | null; enterpriseId: string | null }>;
  /** The event happened in a channel shared with another organisation (Slack Connect). */
  externallyShared: boolean;
  /** Who sent it, with their own team (which differs from `teamId` for a Slack Connect user). */
  user: OriginUser | null;
}

export interface OriginUser {
  id: string;
  teamId: string;
  enterpriseId: string | null;
}

export function requestOrigin(request: StoredRequest): RequestOrigin {
  if (request.kind === 'event') {
    const { body } = request;
    const enterpriseId = body.enterprise_id ?? null;
    const userId = typeof body.event.user === 'string' ? body.event.user : null;
    return {
      teamId: body.team_id,
      enterpriseId,
      authorizations: (body.authorizations ?? []).map((item) => ({
        teamId: item.team_id,
        enterpriseId: item.enterprise_id,
      })),
      externallyShared: body.is_ext_shared_channel === true,
      user:
        userId === null
          ? null
          : { id: userId, teamId: body.event.user_team ?? body.event.team ?? body.team_id, enterpriseId },
    };
  }
  const user = request.kind === 'command' ? commandUser(request.body) : interactionUser(request.body);
  const teamId = request.kind === 'command' ? request.body.team_id : request.body.team.id;
  return { teamId, enterpriseId: user.enterpriseId, authorizations: [], externallyShared: false, user };
}

/** Who pressed, submitted or typed: the user with their own team (a Slack Connect guest's differs). */
export function interactionUser(body: BlockActions | ViewSubmission | OptionsRequest): OriginUser {
  const enterpriseId = body.enterprise?.id ?? body.team.enterprise_id ?? null;
  return { id: body.user.id, teamId: body.user.team_id || body.team.id, enterpriseId };
}

export function commandUser(body: SlashCommand): OriginUser {
  return { id: body.user_id, teamId: body.team_id, enterpriseId: body.enterprise_id ?? null };
}

function invalid(what: string, error: z.ZodError): ParseResult {
  const issue = error.issues[0];
  const where = issue ? issue.path.join('.') || '(root)' : '(root)';
  return { ok: false, reason: `malformed ${what} payload at ${where}: ${issue?.message ?? 'invalid'}` };
}
