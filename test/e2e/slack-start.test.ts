import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { findFreePort } from '../../storage/free-port.js';
import { cleanEnv, startCli, waitForStatus, type Running } from '../support/cli-process.js';
import { startFakeSlackApi, type FakeSlackApi } from '../support/fake-slack-api.js';
import { postEvent } from '../support/slack-signing.js';

const SECRET = 'start-test-signing-secret';

describe('olympus start with Slack configured', () => {
  let fake: FakeSlackApi;
  let running: Running;
  let base: string;

  beforeAll(async () => {
    fake = await startFakeSlackApi();
    const cwd = mkdtempSync(path.join(tmpdir(), 'olympus-slack-start-'));
    chmodSync(cwd, 0o755);
    const port = await findFreePort();
    base = `http://127.0.0.1:${port}`;
    running = startCli(['start'], {
      cwd,
      env: cleanEnv({
        OLYMPUS_HTTP_PORT: String(port),
        SLACK_BOT_TOKEN: 'xoxb-start-test-token',
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

  test('a client DM signed by Slack reaches Hermes and is answered once in its thread; forged requests are refused', async () => {
    const ts = '1700000300.000100';
    const dm = {
      type: 'event_callback',
      team_id: 'T0001',
      api_app_id: 'A0001',
      event_id: 'EvStartDm',
      event_time: 1700000300,
      event: {
        type: 'message',
        channel_type: 'im',
        channel: 'D0START',
        user: 'U0CLIENT',
        text: 'Hi, I need a booking app',
        ts,
        event_ts: ts,
      },
    };
    expect((await postEvent(`${base}/slack/events`, dm, { secret: 'forged' })).status).toBe(401);
    expect((await postEvent(`${base}/slack/events`, dm, { secret: SECRET })).status).toBe(200);
    expect(
      (await postEvent(`${base}/slack/events`, dm, { secret: SECRET, headers: { 'x-slack-retry-num': '1' } }))
        .status,
    ).toBe(200);
    const reply = await fake.waitFor(
      (call) => call.method === 'chat.postMessage' && call.params.channel === 'D0START',
    );
    expect(reply.params.thread_ts).toBe(ts);
    expect(reply.authorization).toBe('Bearer xoxb-start-test-token');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.callsOf('chat.postMessage').filter((call) => call.params.channel === 'D0START')).toHaveLength(
      1,
    );
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^olympus_inbound_messages_total\{surface="slack"\} 1$/m);
    expect(metrics).toMatch(/^olympus_ack_latency_seconds_count\{surface="slack"\} 1$/m);
    expect(running.output()).not.toContain('xoxb-start-test-token');
    expect(running.output()).not.toContain(SECRET);
  });
});
