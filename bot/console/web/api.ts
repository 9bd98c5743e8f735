/** The console API as the page uses it: JSON over fetch (the login cookie rides along) and live events. */
import { useEffect, useState } from 'preact/hooks';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(
  path: string,
  init: { method?: 'GET' | 'POST'; body?: unknown } = {},
): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    credentials: 'same-origin',
    headers: init.body === undefined ? {} : { 'content-type': 'application/json' },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const body = (await response.json().catch(() => ({}))) as { message?: string };
  if (!response.ok) throw new ApiError(response.status, body.message ?? `HTTP ${response.status}`);
  return body as T;
}

export interface LiveEvent {
  type: string;
  action?: string;
  projectId?: string | null;
  conversationId?: string;
}

/** A counter that moves on every live event, and the last event; views refetch when it moves. */
export function useLive(): { tick: number; last: LiveEvent | null; connected: boolean } {
  const [state, setState] = useState<{ tick: number; last: LiveEvent | null; connected: boolean }>({
    tick: 0,
    last: null,
    connected: false,
  });
  useEffect(() => {
    const source = new EventSource('/api/console/events');
    const bump = (message: MessageEvent<string>) => {
      let event: LiveEvent = { type: message.type };
      try {
        event = { ...(JSON.parse(message.data) as LiveEvent), type: message.type };
      } catch {
        // A notice without details.
      }
      setState((old) => ({ tick: old.tick + 1, last: event, connected: true }));
    };
    for (const type of ['audit', 'conversation', 'changed']) source.addEventListener(type, bump);
    source.onopen = () => setState((old) => ({ ...old, connected: true }));
    source.onerror = () => setState((old) => ({ ...old, connected: false }));
    return () => source.close();
  }, []);
  return state;
}

/** Loads `path` now and again whenever `tick` moves. */
export function useResource<T>(path: string | null, tick: number): { data: T | null; error: string | null } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (path === null) {
      setData(null);
      return;
    }
    let live = true;
    api<T>(path).then(
      (value) => {
        if (!live) return;
        setData(value);
        setError(null);
      },
      (problem: unknown) => {
        if (live) setError(problem instanceof Error ? problem.message : String(problem));
      },
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  return { data, error };
}
