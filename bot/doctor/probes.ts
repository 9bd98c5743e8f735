/** Reachability probes used by `olympus doctor` for parts whose adapters are configured. */
import { createConnection } from 'node:net';
import { errorMessage } from '../../common/errors.js';

export interface ProbeResult {
  ok: boolean;
  detail: string;
}

export async function probeHttp(url: string, init: RequestInit, timeoutMs: number): Promise<ProbeResult> {
  try {
    const response = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    if (!response.ok) return { ok: false, detail: `${new URL(url).host} answered HTTP ${response.status}` };
    const body = (await response.json().catch(() => null)) as { ok?: unknown; error?: unknown } | null;
    if (body && body.ok === false)
      return { ok: false, detail: `${new URL(url).host} refused: ${String(body.error)}` };
    return { ok: true, detail: `${new URL(url).host} answered` };
  } catch (error) {
    return { ok: false, detail: `${safeHost(url)} unreachable: ${describeNetworkError(error)}` };
  }
}

export function probeTcp(url: string, defaultPort: number, timeoutMs: number): Promise<ProbeResult> {
  const parsed = new URL(url);
  const host = parsed.hostname;
  const port = parsed.port ? Number(parsed.port) : defaultPort;
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (result: ProbeResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () =>
      done({ ok: false, detail: `${host}:${port} did not answer within ${timeoutMs} ms` }),
    );
    socket.once('connect', () => done({ ok: true, detail: `${host}:${port} accepts connections` }));
    socket.once('error', (error) =>
      done({ ok: false, detail: `${host}:${port} unreachable: ${describeNetworkError(error)}` }),
    );
  });
}

export function describeNetworkError(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause ?? error;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string') return `${code} (${errorMessage(cause)})`;
  return errorMessage(cause);
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'an unparsable URL';
  }
}
