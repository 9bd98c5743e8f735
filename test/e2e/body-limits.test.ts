/**
 * Bodies the parsers refuse, on the real `olympus start` (console, ops API and Slack's request URL on one
 * HTTP server): too large is a 413 with a short JSON error, malformed JSON a 400, both logged at warn; the
 * process stays ready and an oversized Slack delivery stores nothing. The credential route keeps its own
 * 80 kB limit (a 64 KiB value and its JSON), read before the rest of the ops API's 64 kB parser.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { findFreePort } from '../../storage/free-port.js';
import { cleanEnv, startCli, waitForStatus, type Running } from '../support/cli-process.js';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.js';
import { signedHeaders } from '../support/slack-signing.js';

const SECRET = 'body-limit-test-signing-secret';
const CHECKPOINT = '00000000-0000-4000-8000-000000000000';

describe('request bodies over the limit or not JSON', () => {
  let fake: FakeSlackApi;
  let running: Running;
  let base: string;

  beforeAll(async () => {
    fake = await startFakeSlackApi();
    const cwd = mkdtempSync(path.join(tmpdir(), 'olympus-body-limits-'));
    chmodSync(cwd, 0o755);
    const port = await findFreePort();
    base = `http://127.0.0.1:${port}`;
    running = startCli(['start'], {
      cwd,
      env: cleanEnv({
        OLYMPUS_HTTP_PORT: String(port),
        SLACK_BOT_TOKEN: 'xoxb-body-limit-token',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_API_URL: fake.apiUrl,
        SLACK_OPS_CHANNEL: 'C0OPS',
        SLACK_TO_USERS: 'U0TO1',
      }),
    });
    await waitForStatus(`${base}/readyz`, 200, 45_000, running);
  }, 60_000);

  afterAll(async () => {
    running.child.kill('SIGTERM');
    await running.exited;
    await fake.close();
  });

  async function postJson(
    route: string,
    body: string,
    headers: Record<string, string> = {},
  ): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(`${base}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
    });
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  }

  function logLines(): Array<Record<string, unknown>> {
    return running
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  const large = JSON.stringify({ as: 'big@example.com', text: 'x'.repeat(70 * 1024) });

  test('a console body over 64 kB is a 413', async () => {
    const { status, json } = await postJson('/api/console/messages', large);
    expect(status).toBe(413);
    expect(json).toMatchObject({ error: 'payload_too_large', limit: '64kb' });
  });

  test('an ops body over 64 kB is a 413', async () => {
    const body = JSON.stringify({ outcome: 'approve', as: 'to@example.com', reason: 'x'.repeat(70 * 1024) });
    const { status, json } = await postJson(`/api/ops/checkpoints/${CHECKPOINT}/decide`, body);
    expect(status).toBe(413);
    expect(json).toMatchObject({ error: 'payload_too_large', limit: '64kb' });
  });

  test('the credential route has its own 80 kB limit: a 64 KiB value passes the parsers, more is a 413', async () => {
    const route = `/api/ops/checkpoints/${CHECKPOINT}/credential`;
    // The largest value the vault takes: its body is over the rest of the ops API's 64 kB.
    const largest = JSON.stringify({ as: 'to@example.com', value: 'v'.repeat(65_536) });
    expect(Buffer.byteLength(largest)).toBeGreaterThan(64 * 1024);
    // Parsed and answered by the route itself: the caller is no TO here, so nothing is stored.
    const passed = await postJson(route, largest);
    expect(passed).toEqual({
      status: 403,
      json: { status: 'refused', message: expect.stringContaining('Only Technical Operators') },
    });
    const tooLarge = await postJson(
      route,
      JSON.stringify({ as: 'to@example.com', value: 'v'.repeat(90 * 1024) }),
    );
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.json).toMatchObject({ error: 'payload_too_large', limit: '80kb' });
  });

  test('malformed JSON is a 400 on the console and the ops API', async () => {
    for (const route of ['/api/console/messages', `/api/ops/checkpoints/${CHECKPOINT}/decide`]) {
      const { status, json } = await postJson(route, '{"as": "a@example.com", "text": ');
      expect({ route, status, json }).toEqual({
        route,
        status: 400,
        json: { error: 'bad_request', message: 'The body is not valid JSON.' },
      });
    }
  });

  test('a signed Slack delivery over 1 MB is a 413 and nothing is stored', async () => {
    const ts = '1700000400.000100';
    const body = JSON.stringify({
      type: 'event_callback',
      team_id: 'T0001',
      api_app_id: 'A0001',
      event_id: 'EvTooLarge',
      event_time: 1700000400,
      event: {
        type: 'message',
        channel_type: 'im',
        channel: 'D0LARGE',
        user: 'U0CLIENT',
        text: 'x'.repeat(1100 * 1024),
        ts,
        event_ts: ts,
      },
    });
    const { status, json } = await postJson('/slack/events', body, signedHeaders(body, { secret: SECRET }));
    expect(status).toBe(413);
    expect(json).toMatchObject({ error: 'payload_too_large', limit: '1mb' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).not.toMatch(/^olympus_inbound_messages_total\{surface="slack"\} [1-9]/m);
    expect(fake.callsOf('chat.postMessage').filter((call) => call.params.channel === 'D0LARGE')).toHaveLength(
      0,
    );
  });

  test('the process is still ready, and the refusals were logged at warn, not as errors', async () => {
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const lines = logLines();
    const refused = lines.filter((line) => line.message === 'http request body refused');
    expect(refused.map((line) => [line.level, line.path, line.status])).toEqual(
      expect.arrayContaining([
        ['warn', '/api/console/messages', 413],
        ['warn', `/api/ops/checkpoints/${CHECKPOINT}/decide`, 413],
        ['warn', `/api/ops/checkpoints/${CHECKPOINT}/credential`, 413],
        ['warn', '/api/console/messages', 400],
        ['warn', `/api/ops/checkpoints/${CHECKPOINT}/decide`, 400],
        ['warn', '/slack/events', 413],
      ]),
    );
    expect(lines.filter((line) => line.level === 'error')).toEqual([]);
  });
});
