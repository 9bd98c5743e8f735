/**
 * Fault: one client floods Hermes with 1,000 Slack DMs within a minute. Every message is recorded and
 * reaches a final state; only the per-client limit reaches the language model (a scripted OpenAI-
 * compatible server with prices), the client gets one notice per window, and the spend stays within the
 * budget the limit implies.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { LlmIntakeBrain } from '../../agents/hermes/llm-intake-brain.js';
import { createLlmRouter } from '../../agents/llm/create-llm-router.js';
import { loadConfig } from '../../bot/config/load-config.js';
import { ClientRateLimiter, rateLimitNotice } from '../../handlers/intake/client-rate-limit.js';
import { startFakeLlmServer, type FakeLlmServer } from '../support/fake-llm-server.js';
import { postEvent } from '../support/slack-signing.js';
import { until } from '../support/until.js';
import { checkInvariants, effectIdOf, slackPostsOf } from './invariants.js';
import { RIG_CANARY, RIG_SECRET, directMessage, startSlackRig, type SlackRig } from './slack-rig.js';

const FLOOD = 1000;
const PER_MINUTE = 20;
const OPENAI_CANARY = 'sk-canaryflood0123456789abcdef';
/** USD per million tokens: every scripted call (10 in, 5 out) costs $0.015. */
const PRICES = JSON.stringify({ 'gpt-4o-mini': { input: 1000, output: 1000 } });
const COST_PER_CALL = 0.015;
/** What the client may spend on intake per minute of flooding. */
const BUDGET_PER_WINDOW = 0.5;

/** Every time the limiter counted a message: what to expect follows from these, window by window. */
const takes: number[] = [];

/** Messages answered and notices sent, per the limiter's fixed one-minute windows (epoch-aligned) over `takes`. */
function expected(): { windows: number; answered: number; notices: number } {
  const byWindow = new Map<number, number>();
  for (const at of takes) {
    const window = Math.floor(at / 60_000);
    byWindow.set(window, (byWindow.get(window) ?? 0) + 1);
  }
  const counts = [...byWindow.values()];
  return {
    windows: counts.length,
    answered: counts.reduce((sum, n) => sum + Math.min(n, PER_MINUTE), 0),
    notices: counts.filter((n) => n > PER_MINUTE).length,
  };
}

describe('reliability: a flood from one client', () => {
  let llm: FakeLlmServer;
  let rig: SlackRig;

  beforeAll(async () => {
    llm = await startFakeLlmServer();
    const config = loadConfig({
      env: { OPENAI_API_KEY: OPENAI_CANARY, OPENAI_BASE_URL: llm.openaiBaseUrl, OLYMPUS_LLM_PRICES: PRICES },
      cwd: mkdtempSync(path.join(tmpdir(), 'olympus-flood-')),
    });
    rig = await startSlackRig({
      rateLimiter: (store) =>
        new ClientRateLimiter({
          perMinute: PER_MINUTE,
          counters: store.rateCounters,
          now: () => {
            const now = Date.now();
            takes.push(now);
            return now;
          },
        }),
      secrets: [OPENAI_CANARY],
      brain: (store, logger) =>
        new LlmIntakeBrain({
          router: createLlmRouter({ config, store, logger, retry: { baseDelayMs: 5, maxDelayMs: 20 } }),
        }),
    });
  }, 90_000);

  afterAll(async () => {
    await rig?.teardown();
    await llm?.close();
  });

  test('1,000 messages in a minute: all recorded, the limit answered, one notice, spend within budget', async () => {
    const turn = JSON.stringify({
      intent: 'new_project',
      draftUpdates: {},
      missing: [],
      reply: 'Noted, tell me more.',
      projectKey: null,
      startOver: false,
    });
    llm.reply(...Array.from({ length: PER_MINUTE * 3 }, () => ({ content: turn })));
    const keys: string[] = [];
    let next = 0;
    const sender = async () => {
      while (next < FLOOD) {
        const n = (next += 1);
        const ts = `1700002000.${String(n).padStart(6, '0')}`;
        keys.push(`slack:event:EvFlood${n}`);
        const response = await postEvent(
          rig.url,
          directMessage(`EvFlood${n}`, ts, `flood message ${n}`, 'U0FLOOD', 'D0FLOOD'),
          {
            secret: RIG_SECRET,
          },
        );
        expect(response.status).toBe(200);
      }
    };
    await Promise.all(Array.from({ length: 16 }, sender));
    const store = rig.db.store;
    await until(
      async () => {
        const entries = await Promise.all(keys.map((key) => store.inbox.get(key)));
        return entries.every((entry) => entry?.status === 'done');
      },
      120_000,
      500,
    );
    const { windows, answered, notices: noticesDue } = expected();
    expect(takes).toHaveLength(FLOOD);
    const toClient = () =>
      rig.fake.callsOf('chat.postMessage').filter((call) => call.params.channel === 'D0FLOOD');
    await until(() => Promise.resolve(toClient().length >= answered + noticesDue), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const posted = toClient();
    const notices = posted.filter((call) => call.params.text === rateLimitNotice(PER_MINUTE));
    const llmCalls = llm.chatRequests().length;
    const spend = (await store.ledger.list()).reduce((sum, entry) => sum + entry.cost, 0);
    process.stdout.write(
      `[reliability] flood: ${FLOOD} messages, ${windows} window(s), ${llmCalls} LLM calls, ${notices.length} notice(s), ${posted.length} replies, spend $${spend.toFixed(3)}\n`,
    );
    expect(llmCalls).toBe(answered);
    expect(notices).toHaveLength(noticesDue);
    expect(posted).toHaveLength(answered + noticesDue);
    expect(spend).toBeCloseTo(llmCalls * COST_PER_CALL, 6);
    expect(spend).toBeLessThanOrEqual(BUDGET_PER_WINDOW * windows);
    const conversation = await store.conversations.findByThread('slack', 'D0FLOOD');
    expect(conversation).not.toBeNull();
    const audits = (await store.audit.list()).filter((event) => event.action === 'intake.rate_limited');
    expect(audits).toHaveLength(noticesDue);
    await checkInvariants({
      scenario: 'flood of 1,000 messages from one client',
      store,
      connectionString: rig.db.connectionString,
      inputs: keys,
      effects: posted.map((call) => {
        const effectId = effectIdOf(call) ?? 'missing effect id';
        return { effectId, atPeer: slackPostsOf(rig.fake, effectId) };
      }),
      canaries: [RIG_CANARY, RIG_SECRET, OPENAI_CANARY],
      logs: rig.logs,
    });
  }, 240_000);
});
