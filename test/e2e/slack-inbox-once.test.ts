/**
 * One inbox row per inbound Slack event: the recorded DM (test/fixtures/slack/event-message-im.json)
 * delivered three times, as Slack retries it (same event_id, X-Slack-Retry-Num 1 and 2), into the real
 * receiver. The database holds exactly one inbox row, under the event's natural key, with the intake's
 * client message attached to it; Hermes answers once, in the message's thread.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { GuidedIntakeBrain } from '../../agents/hermes/guided-intake.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
import { slackFixture } from '../support/slack-fixtures.js';
import { SLACK_TEST_SECRET, startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import { postEvent } from '../support/slack-signing.js';
import { until } from '../support/until.js';

const logger = createSilentLogger();

let harness: SlackHarness;

beforeAll(async () => {
  harness = await startSlackHarness({
    toUsers: ['U0TOA'],
    logger,
    intake: (store) => new ClientMessageHandler({ store, brain: new GuidedIntakeBrain(), logger }),
  });
}, 60_000);

afterAll(async () => {
  await harness?.teardown();
});

async function inboxKeys(): Promise<string[]> {
  const client = new pg.Client({ connectionString: harness.db.connectionString });
  await client.connect();
  try {
    const rows = await client.query<{ key: string }>('SELECT key FROM inbox ORDER BY ord');
    return rows.rows.map((row) => row.key);
  } finally {
    await client.end();
  }
}

describe('Slack inbox', () => {
  test('a DM delivered three times (Slack retries) is one inbox row and one reply', async () => {
    const event = slackFixture<{ event_id: string; event: { channel: string; ts: string } }>(
      'event-message-im.json',
    );
    const { channel, ts } = event.event;
    const key = `slack:event:${event.event_id}`;
    const deliveries: Array<Record<string, string>> = [
      {},
      { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
      { 'x-slack-retry-num': '2', 'x-slack-retry-reason': 'http_timeout' },
    ];
    for (const headers of deliveries) {
      const answer = await postEvent(harness.url, event, { secret: SLACK_TEST_SECRET, headers });
      expect(answer.status).toBe(200);
    }
    const entry = await until(async () => {
      const found = await harness.db.store.inbox.get(key);
      return found?.status === 'done' ? found : null;
    });
    expect(await inboxKeys()).toEqual([key]);
    expect(entry.attempts).toBe(1);
    expect(entry.attached).toMatchObject({
      kind: 'client_message',
      key,
      surface: 'slack',
      handle: { surface: 'slack', externalId: 'U0CLIENT01' },
      threadKey: channel,
    });

    const replies = () =>
      harness.fake.callsOf('chat.postMessage').filter((call) => call.params.channel === channel);
    await until(() => Promise.resolve(replies().length > 0));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(replies()).toHaveLength(1);
    expect(replies()[0]!.params.thread_ts).toBe(ts);
    expect(replies()[0]!.params.metadata).toEqual({
      event_type: 'olympus_effect',
      event_payload: { effect_id: `slack.reply:${channel}:${ts}` },
    });
    const conversation = await harness.db.store.conversations.findByThread('slack', channel);
    expect(conversation?.messages.map((message) => message.from)).toEqual(['client', 'hermes']);
  });
});
