/**
 * The recorded Slack payloads of test/fixtures/slack/ replayed, signed, into the real receiver: an
 * Approve press on a checkpoint card decides it and updates the card; a Reject modal's submission
 * decides with its reason; `/hermes pending` is answered on its ack; an app mention is stored and acked.
 * Only what names this test's checkpoint and card is set on the recorded interactions.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createSilentLogger } from '../../common/logging/logger.js';
import { openCheckpoint } from '../../orchestration/checkpoints/open-checkpoint.js';
import type { Checkpoint, Project, Task } from '../../ports/domain.js';
import { forCard, slackFixture, slackFixtureText, type CardInteraction } from '../support/slack-fixtures.js';
import {
  SLACK_TEST_OPS,
  SLACK_TEST_SECRET,
  startSlackHarness,
  type SlackHarness,
} from '../support/slack-harness.js';
import { postEvent, postForm, postInteraction } from '../support/slack-signing.js';
import { until } from '../support/until.js';

const logger = createSilentLogger();
/** The TO who pressed and submitted in the recordings. */
const TO = 'U0TOA';

let harness: SlackHarness;
let project: Project;
let task: Task;

beforeAll(async () => {
  harness = await startSlackHarness({ toUsers: [TO], logger });
  const store = harness.db.store;
  const owner = await store.identities.create({ displayName: 'Salon owner' });
  ({ project } = await store.projects.create({
    key: 'salon-booking',
    title: 'Salon Booking',
    ownerId: owner.id,
    brief: {},
    createdBy: owner.id,
  }));
  [task] = (await store.tasks.createMany(project.id, [
    { key: 'deploy', role: 'hephaestus', title: 'Deploy', spec: 'Ship it' },
  ])) as [Task];
}, 60_000);

afterAll(async () => {
  await harness?.teardown();
});

async function openWithCard(title: string): Promise<{ checkpoint: Checkpoint; ts: string }> {
  const { db, scheduler } = harness;
  const checkpoint = await openCheckpoint({
    store: db.store,
    jobs: scheduler,
    checkpoint: {
      projectId: project.id,
      taskId: task.id,
      kind: 'deploy',
      requestedBy: 'hephaestus',
      request: { title, summary: 'Ship the booking app to production.', details: { env: 'prod' } },
    },
  });
  const card = await until(async () => (await db.store.checkpoints.get(checkpoint.id))?.cards[0]);
  return { checkpoint, ts: card.messageId };
}

function cardOf(checkpoint: Checkpoint, ts: string) {
  return {
    checkpointId: checkpoint.id,
    actionHash: String(checkpoint.request.actionHash),
    channel: SLACK_TEST_OPS,
    ts,
  };
}

async function decided(id: string): Promise<Checkpoint> {
  return until(async () => {
    const found = await harness.db.store.checkpoints.get(id);
    return found?.status !== 'pending' ? found : null;
  });
}

describe('recorded Slack payloads', () => {
  test('the recorded Approve press decides the checkpoint and updates its card', async () => {
    const { checkpoint, ts } = await openWithCard('Deploy to production');
    const press = forCard(
      slackFixture<CardInteraction>('interaction-block-actions-approve.json'),
      cardOf(checkpoint, ts),
    );
    const answer = await postInteraction(harness.url, press, { secret: SLACK_TEST_SECRET });
    expect(answer.status).toBe(200);
    const stored = await decided(checkpoint.id);
    expect(stored.status).toBe('approved');
    const to = await harness.db.store.identities.findByHandle({ surface: 'slack', externalId: TO });
    expect(stored.decision?.by).toBe(to?.id);
    const update = await harness.fake.waitFor(
      (call) => call.method === 'chat.update' && call.params.ts === ts,
    );
    expect(JSON.stringify(update.params.blocks)).toContain('Approved');
    const action = press.actions![0]!;
    const key = `slack:action:T0001:${TO}:${action.action_ts}:checkpoint.approve`;
    await until(async () => (await harness.db.store.inbox.get(key))?.status === 'done');
  });

  test('the recorded Reject submission decides rejected with its reason', async () => {
    const { checkpoint, ts } = await openWithCard('Deploy to staging');
    const submission = forCard(
      slackFixture<CardInteraction>('interaction-view-submission-reject.json'),
      cardOf(checkpoint, ts),
    );
    expect((await postInteraction(harness.url, submission, { secret: SLACK_TEST_SECRET })).status).toBe(200);
    const stored = await decided(checkpoint.id);
    expect(stored.status).toBe('rejected');
    expect(stored.decision?.reason).toBe('Not before the launch review on Friday.');
  });

  test('the recorded `/hermes pending` is answered on its ack, ephemerally', async () => {
    await openWithCard('Rotate the database password');
    const answer = await postForm(harness.url, slackFixtureText('command-hermes-pending.txt'), {
      secret: SLACK_TEST_SECRET,
    });
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toContain('Rotate the database password');
    expect(body.text).toContain('https://olympus-ops.slack.com/archives/C0OPS/p');
  });

  test('the recorded app mention is stored under its event id and acked; nothing is posted', async () => {
    const event = slackFixture<{ event_id: string }>('event-app-mention.json');
    const posts = harness.fake.callsOf('chat.postMessage').length;
    expect((await postEvent(harness.url, event, { secret: SLACK_TEST_SECRET })).status).toBe(200);
    const key = `slack:event:${event.event_id}`;
    await until(async () => (await harness.db.store.inbox.get(key))?.status === 'done');
    expect(harness.fake.callsOf('chat.postMessage')).toHaveLength(posts);
  });
});
