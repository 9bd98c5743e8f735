import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { findFreePort } from '../../storage/free-port.js';
import { cleanEnv, runCli, startCli, waitForStatus, type Running } from '../support/cli-process.js';
import { DM_CHANNEL, startFakeDiscord, type FakeDiscord } from '../support/fake-discord.js';

describe('olympus start with Discord configured', () => {
  let discord: FakeDiscord;
  let running: Running;
  let env: NodeJS.ProcessEnv;
  let cwd: string;

  beforeAll(async () => {
    discord = await startFakeDiscord();
    cwd = mkdtempSync(path.join(tmpdir(), 'olympus-discord-start-'));
    chmodSync(cwd, 0o755);
    const port = await findFreePort();
    env = cleanEnv({
      OLYMPUS_HTTP_PORT: String(port),
      DISCORD_BOT_TOKEN: discord.token,
      DISCORD_API_URL: discord.apiUrl,
    });
    running = startCli(['start'], { cwd, env });
    await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 60_000, running);
  }, 90_000);

  afterAll(async () => {
    running.child.kill('SIGTERM');
    await running.exited;
    await discord.close();
  });

  test('a DM to the bot is answered by Hermes in that DM, once', async () => {
    const message = discord.directMessage('Hello, we need an online shop for our bakery.');
    discord.dispatch('MESSAGE_CREATE', message);
    const isReply = (call: { method: string; path: string; body: Record<string, unknown> | undefined }) =>
      call.method === 'POST' &&
      call.path === `/api/v10/channels/${DM_CHANNEL}/messages` &&
      (call.body?.message_reference as { message_id?: string } | undefined)?.message_id ===
        String(message.id);
    const reply = await discord.waitForCall(isReply);
    expect(String(reply.body?.content)).toContain('Hermes');
    discord.dispatch('MESSAGE_CREATE', message);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(discord.calls.filter(isReply)).toHaveLength(1);
    expect(running.output()).not.toContain(discord.token);
  });

  test('doctor reaches the configured Discord API', async () => {
    const result = await runCli(['doctor'], { env, cwd });
    expect(result.stdout).toMatch(/ok {3}discord: /);
  });
});
