/** The client side of the console API, used by `olympus chat`. */
import { z } from 'zod';
import { OlympusError } from '../../common/errors.js';

const ReplySchema = z.object({
  reply: z.string(),
  conversationId: z.string(),
  state: z.string(),
  draft: z.record(z.string(), z.unknown()),
  projectId: z.string().optional(),
  intent: z.string().optional(),
  duplicate: z.boolean().optional(),
});
export type ChatReply = z.infer<typeof ReplySchema>;

const ErrorSchema = z.object({ message: z.string() });

export interface SendChatOptions {
  baseUrl: string;
  as: string;
  text: string;
  messageId?: string;
  timeoutMs?: number;
  /** Console token (`Authorization: Bearer`), when the server requires a login. */
  token?: string | null;
}

export async function sendChatMessage(options: SendChatOptions): Promise<ChatReply> {
  const url = new URL('/api/console/messages', options.baseUrl);
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: JSON.stringify({ as: options.as, text: options.text, messageId: options.messageId }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
  } catch (error) {
    throw new OlympusError(
      'SERVER_UNREACHABLE',
      `cannot reach the Olympus server at ${options.baseUrl}: is it running? Start it with \`olympus start\` (or set OLYMPUS_URL).`,
      { cause: error, retryable: true },
    );
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const message = ErrorSchema.safeParse(body);
    throw new OlympusError(
      response.status === 400
        ? 'VALIDATION'
        : response.status === 401 || response.status === 403
          ? 'FORBIDDEN'
          : 'INTERNAL',
      `the server answered ${response.status}: ${message.success ? message.data.message : 'no details'}`,
    );
  }
  const parsed = ReplySchema.safeParse(body);
  if (!parsed.success) {
    throw new OlympusError(
      'INTERNAL',
      `${url.href} did not answer like the Olympus console API; is OLYMPUS_URL right?`,
    );
  }
  return parsed.data;
}
