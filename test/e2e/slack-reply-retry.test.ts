/**
 * A Hermes reply in a Slack DM whose `chat.postMessage` response is lost (Slack stored the message, the
 * caller never learned it): the request is marked failed, retried on the surface's timer, and the retry
 * finds the stored message by its effect id instead of posting again. One reply at Slack, entry done.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { GuidedIntakeBrain } from '../../agents/hermes/guided-intake.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
import { startSlackFaultProxy, type SlackFaultProxy } from '../support/fake-slack-faults.js';
import { postEvent } from '../support/slack-signing.js';
import { SLACK_TEST_SECRET, startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import { until } from '../support/until.js';

const logger = createSilentLogger();
const CLIENT = 'U0CLIENT';

let harness: SlackHarness;
let proxy: SlackFaultProxy;

beforeAll(async () => {
  // Every Web API call goes through the fault proxy in front of the recording fake.
  const overrides: { apiUrl?: string; retryEveryMs: number } = { retryEveryMs: 500 };
  harness = await startSlackHarness({
    toUsers: ['U0TOA'],
    logger,
    settings: overrides,
    intake: (store) => new ClientMessageHandler({ store, brain: new GuidedIntakeBrain(), logger }),
    beforeStart: async (fake) => {
      proxy = await startSlackFaultProxy(fake.apiUrl);
      overrides.apiUrl = proxy.apiUrl;
    },
  });
}, 60_000);

afterAll(async () => {
  await harness?.teardown();
  await proxy?.close();
});

describe('Slack DM replies', () => {
  test('a reply whose post response was lost is retried on the timer and posted exactly once', async () => {
    proxy.loseResponses('chat.postMessage', 1);
    const ts = '1700000300.000100';
    const event = {
      token: 'x',
      team_id: 'T0001',
      api_app_id: 'A0001',
      type: 'event_callback',
      event_id: 'EvLostReply',
      event_time: 1,
      authorizations: [{ team_id: 'T0001', user_id: 'U0BOT', is_bot: true }],
      event: {
        type: 'message',
        channel_type: 'im',
        channel: 'D0CLIENT',
        user: CLIENT,
        text: 'Hi, I need a booking system for our studio',
        ts,
        event_ts: ts,
      },
    };
    expect((await postEvent(harness.url, event, { secret: SLACK_TEST_SECRET })).status).toBe(200);
    const key = 'slack:event:EvLostReply';
    const done = await until(async () => {
      const entry = await harness.db.store.inbox.get(key);
      return entry?.status === 'done' ? entry : null;
    }, 30_000);
    expect(proxy.stats.lost).toBe(1);
    expect(done.attempts).toBeGreaterThan(1);
    const replies = harness.fake
      .callsOf('chat.postMessage')
      .filter((call) => call.params.channel === 'D0CLIENT');
    expect(replies).toHaveLength(1);
    expect(replies[0]!.params.thread_ts).toBe(ts);
    // Hermes answered once: the conversation holds one client message and one reply.
    const conversation = await harness.db.store.conversations.findByThread('slack', 'D0CLIENT');
    expect(conversation?.messages.map((message) => message.from)).toEqual(['client', 'hermes']);
  });
});
