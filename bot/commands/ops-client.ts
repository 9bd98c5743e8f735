/** The client side of the ops API (bot/ops/ops-routes.ts), used by the ops commands. */
import { OlympusError } from '../../common/errors.js';

export interface OpsAnswer {
  status: number;
  body: Record<string, unknown>;
}

export async function opsRequest(
  baseUrl: string,
  path: string,
  init: { method?: 'GET' | 'POST'; body?: unknown; token?: string | null } = {},
): Promise<OpsAnswer> {
  let response: Response;
  try {
    response = await fetch(new URL(path, baseUrl), {
      method: init.method ?? 'GET',
      headers: {
        ...(init.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
      },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new OlympusError(
      'SERVER_UNREACHABLE',
      `cannot reach the Olympus server at ${baseUrl}: is it running? Start it with \`olympus start\` (or set OLYMPUS_URL).`,
      { cause: error, retryable: true },
    );
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  return { status: response.status, body };
}
