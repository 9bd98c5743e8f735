/**
 * Fault: the same Slack event delivered four times, the second while the first is still being processed
 * (its reply has reached Slack, whose answer is held back). Exactly one inbox row per input, one reply
 * at Slack.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { postEvent } from '../support/slack-signing.js';
import { until } from '../support/until.js';
import { checkInvariants, slackPostsOf } from './invariants.js';
import { RIG_CANARY, RIG_SECRET, directMessage, startSlackRig, type SlackRig } from './slack-rig.js';

describe('reliability: duplicate Slack deliveries', () => {
  let rig: SlackRig;

  beforeAll(async () => {
    rig = await startSlackRig();
  }, 90_000);

  afterAll(async () => {
    await rig?.teardown();
  });

  test('four deliveries of one event, the second mid-processing: processed once, answered once', async () => {
    const ts = '1700001000.000100';
    const event = directMessage('EvDuplicate1', ts, 'Hi, we need a booking app for our salon');
    const store = rig.db.store;
    rig.faults.holdResponses('chat.postMessage');

    const first = await postEvent(rig.url, event, { secret: RIG_SECRET });
    expect(first.status).toBe(200);
    await rig.faults.waitForHeld(1);
    expect((await store.inbox.get('slack:event:EvDuplicate1'))?.status).toBe('processing');

    const second = await postEvent(rig.url, event, {
      secret: RIG_SECRET,
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect(second.status).toBe(200);
    expect((await store.inbox.get('slack:event:EvDuplicate1'))?.status).toBe('processing');

    rig.faults.releaseAll();
    await until(async () => (await store.inbox.get('slack:event:EvDuplicate1'))?.status === 'done');
    for (const retry of ['2', '3']) {
      const again = await postEvent(rig.url, event, {
        secret: RIG_SECRET,
        headers: { 'x-slack-retry-num': retry, 'x-slack-retry-reason': 'http_error' },
      });
      expect(again.status).toBe(200);
    }
    const effectId = `slack.reply:D0REL:${ts}`;
    const entry = await store.inbox.get('slack:event:EvDuplicate1');
    expect(entry?.attempts).toBe(1);
    // One row for the event: the intake's client message is attached to it, not stored again.
    expect(entry?.attached).toMatchObject({ kind: 'client_message', key: 'slack:event:EvDuplicate1' });
    await checkInvariants({
      scenario: 'duplicate delivery ×4',
      store,
      connectionString: rig.db.connectionString,
      inputs: ['slack:event:EvDuplicate1'],
      effects: [{ effectId, atPeer: slackPostsOf(rig.fake, effectId) }],
      canaries: [RIG_CANARY, RIG_SECRET],
      logs: rig.logs,
    });
    const conversation = await store.conversations.findByThread('slack', 'D0REL');
    expect(conversation?.messages.filter((message) => message.from === 'client')).toHaveLength(1);
  });
});
