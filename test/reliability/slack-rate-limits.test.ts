/**
 * Faults at Slack: a 429 storm on chat.postMessage, and a chat.postMessage whose response is lost after
 * Slack stored the message. Checkpoint cards go out through the outbox and the per-channel queue; at
 * Slack there is exactly one message per effect.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { openCheckpoint } from '../../orchestration/checkpoints/open-checkpoint.js';
import { until } from '../support/until.js';
import { checkInvariants, slackPostsOf } from './invariants.js';
import { RIG_CANARY, RIG_SECRET, seedProject, startSlackRig, type SlackRig } from './slack-rig.js';

describe('reliability: Slack 429 storm and lost responses', () => {
  let rig: SlackRig;
  let projectId: string;
  let taskId: string;

  beforeAll(async () => {
    rig = await startSlackRig();
    ({ projectId, taskId } = await seedProject(rig.db.store, 'ratelimits'));
  }, 90_000);

  afterAll(async () => {
    await rig?.teardown();
  });

  const open = (title: string) =>
    openCheckpoint({
      store: rig.db.store,
      jobs: rig.scheduler,
      checkpoint: {
        projectId,
        taskId,
        kind: 'spend',
        requestedBy: 'apollo',
        request: { title, summary: 'A purchase.', details: { spend: { amount: 12, currency: 'USD' } } },
      },
    });

  const cardPosted = (checkpointId: string) => async () =>
    (await rig.db.store.outbox.get(`slack.card:${checkpointId}:post`))?.status === 'done';

  test('a 429 storm: every card is posted exactly once, after the Retry-After waits', async () => {
    rig.faults.rateLimit('chat.postMessage', 6, 1);
    const checkpoints = [];
    for (let n = 1; n <= 4; n += 1) checkpoints.push(await open(`Storm purchase ${n}`));
    for (const checkpoint of checkpoints) await until(cardPosted(checkpoint.id), 60_000);
    expect(rig.faults.stats.rateLimited).toBe(6);
    await checkInvariants({
      scenario: 'slack 429 storm',
      store: rig.db.store,
      connectionString: rig.db.connectionString,
      inputs: [],
      effects: checkpoints.map((checkpoint) => {
        const effectId = `slack.card:${checkpoint.id}:post`;
        return { effectId, atPeer: slackPostsOf(rig.fake, effectId) };
      }),
      canaries: [RIG_CANARY, RIG_SECRET],
      logs: rig.logs,
    });
  }, 90_000);

  test('a lost chat.postMessage response: the retry finds the stored message instead of posting again', async () => {
    rig.faults.loseResponses('chat.postMessage', 1);
    const lostBefore = rig.faults.stats.lost;
    const checkpoint = await open('Purchase whose post answer is lost');
    await until(cardPosted(checkpoint.id), 60_000);
    expect(rig.faults.stats.lost).toBe(lostBefore + 1);
    const effectId = `slack.card:${checkpoint.id}:post`;
    const entry = await rig.db.store.outbox.get(effectId);
    expect(entry?.attempts).toBeGreaterThan(1);
    const stored = await rig.db.store.checkpoints.get(checkpoint.id);
    const message = rig.fake
      .callsOf('chat.postMessage')
      .find((call) => JSON.stringify(call.params).includes(effectId));
    expect(message).toBeDefined();
    expect(stored?.cards).toHaveLength(1);
    await checkInvariants({
      scenario: 'slack lost response',
      store: rig.db.store,
      connectionString: rig.db.connectionString,
      inputs: [],
      effects: [{ effectId, atPeer: slackPostsOf(rig.fake, effectId) }],
      canaries: [RIG_CANARY, RIG_SECRET],
      logs: rig.logs,
    });
  }, 90_000);
});
