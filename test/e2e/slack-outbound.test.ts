/**
 * Outbound Slack posts under rate limits: the per-channel queue paces posts, waits out 429s for the
 * `Retry-After` Slack gave, keeps order, drops nothing and never posts one effect twice. Digests go
 * through the Slack notifier (the SurfaceNotifier port) into a project thread, against a recording fake
 * Slack Web API that answers 429 on demand.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createMetrics } from '../../bot/metrics/metrics.js';
import { slackClientOptions } from '../../bot/slack/slack-client.js';
import { slackConversationThread } from '../../bot/slack/slack-notifier.js';
import { wireSlackCheckpointCards, wireSlackNotifier } from '../../bot/wiring/slack.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import type { ClientNotice } from '../../ports/surface-notifier.js';
import type { Project } from '../../ports/store.js';
import type { RecordedCall } from '../support/fake-slack-api.js';
import { startSlackHarness, type SlackHarness } from '../support/slack-harness.js';

const logger = createSilentLogger();
const CLIENTS = 'C0CLIENTS';
const ROOT = '1700000000.000100';

describe('Slack outbound posts', () => {
  let harness: SlackHarness;
  let project: Project;

  beforeAll(async () => {
    harness = await startSlackHarness({
      toUsers: ['U0TOA'],
      logger,
      settings: { postIntervalMs: 20, clientsChannel: CLIENTS },
    });
    const store = harness.db.store;
    const owner = await store.identities.create({
      displayName: 'Client',
      handles: [{ surface: 'slack', externalId: 'U0CLIENT' }],
    });
    ({ project } = await store.projects.create({
      key: 'burst',
      title: 'Burst project',
      ownerId: owner.id,
      brief: {},
      createdBy: owner.id,
    }));
  });

  afterAll(async () => {
    await harness?.teardown();
  });

  const postsTo = (channel: string): RecordedCall[] =>
    harness.fake.callsOf('chat.postMessage').filter((call) => call.params.channel === channel);
  const effectOf = (call: RecordedCall): unknown =>
    (call.params.metadata as { event_payload?: { effect_id?: unknown } } | undefined)?.event_payload
      ?.effect_id;

  test('the Web API client has a timeout, no retries of its own and hands 429s back', () => {
    const options = slackClientOptions(harness.settings, logger);
    expect(options.timeout).toBeGreaterThan(0);
    expect(options.retryConfig).toEqual({ retries: 0 });
    expect(options.rejectRateLimitedCalls).toBe(true);
  });

  test('a burst of 50 digests to one channel under 429s: all delivered, in order, none doubled', async () => {
    const { fake, db } = harness;
    const removeRule = fake.rateLimit({ method: 'chat.postMessage', every: 10, retryAfterSeconds: 1 });
    const notifier = wireSlackNotifier({ settings: harness.settings, store: db.store, logger });
    const notices: ClientNotice[] = Array.from({ length: 50 }, (_, index) => ({
      effectId: `digest:${project.id}:${index}`,
      kind: 'digest',
      text: `Digest ${index}: 3 of 5 tasks done <!channel>`,
      thread: { surface: 'slack', channel: CLIENTS, threadKey: ROOT },
      projectId: project.id,
      conversationId: null,
    }));
    try {
      // All 50 at once, in order: the queue keeps the order they were handed over in.
      await Promise.all(notices.map((notice) => notifier.deliver(notice)));
    } finally {
      removeRule();
    }

    const attempts = postsTo(CLIENTS);
    const accepted = attempts.filter((call) => !call.rateLimited);
    const refused = attempts.filter((call) => call.rateLimited);
    expect(refused.length).toBeGreaterThanOrEqual(4);
    expect(accepted).toHaveLength(50);
    expect(accepted.map((call) => call.params.text)).toEqual(
      notices.map((_, index) => `Digest ${index}: 3 of 5 tasks done &lt;!channel&gt;`),
    );
    expect(accepted.map(effectOf)).toEqual(notices.map((notice) => notice.effectId));
    for (const call of accepted) {
      expect(call.params.thread_ts).toBe(ROOT);
      expect(String(call.params.unfurl_links)).toBe('false');
    }
    // After each 429 the same message is sent again, and only after the Retry-After it was given.
    for (const call of refused) {
      const next = attempts[attempts.indexOf(call) + 1]!;
      expect(next.params.text).toBe(call.params.text);
    }
    for (const notice of notices) {
      expect((await db.store.outbox.get(notice.effectId))?.status).toBe('done');
    }

    // Delivered again (a retried job): nothing is posted twice.
    await Promise.all(notices.slice(0, 10).map((notice) => notifier.deliver(notice)));
    expect(postsTo(CLIENTS).filter((call) => !call.rateLimited)).toHaveLength(50);
  });

  test("a 429's Retry-After is waited out before the next call to that channel", async () => {
    const { fake } = harness;
    const removeRule = fake.rateLimit({ method: 'chat.postMessage', times: 1, retryAfterSeconds: 1 });
    const notifier = wireSlackNotifier({ settings: harness.settings, store: harness.db.store, logger });
    const stamps: number[] = [];
    const seen = fake.calls.length;
    try {
      await notifier.deliver({
        effectId: `notice:${project.id}:wait`,
        kind: 'notice',
        text: 'The plan was approved.',
        thread: { surface: 'slack', channel: 'C0WAIT', threadKey: ROOT },
        projectId: project.id,
        conversationId: null,
      });
    } finally {
      removeRule();
    }
    const calls = fake.calls.slice(seen).filter((call) => call.method === 'chat.postMessage');
    expect(calls.map((call) => call.rateLimited ?? false)).toEqual([true, false]);
    stamps.push(...calls.map((call) => call.at ?? 0));
    expect(stamps[1]! - stamps[0]!).toBeGreaterThanOrEqual(1000);
  });

  test('a confirmed project gets one thread in the clients channel, recorded on the project', async () => {
    const notifier = wireSlackNotifier({ settings: harness.settings, store: harness.db.store, logger });
    const first = await notifier.ensureProjectThread(project.id);
    const again = await notifier.ensureProjectThread(project.id);
    expect(first).toEqual({ surface: 'slack', channel: CLIENTS, threadKey: expect.any(String) });
    expect(again).toEqual(first);
    const roots = postsTo(CLIENTS).filter((call) => effectOf(call) === `slack.project-thread:${project.id}`);
    expect(roots).toHaveLength(1);
    expect(String(roots[0]!.params.text)).toContain('<@U0CLIENT>');
    const stored = await harness.db.store.projects.get(project.id);
    expect(stored?.threads).toEqual([first]);
  });

  test('a decided card is shown once, and counted once per decision and outcome', async () => {
    const store = harness.db.store;
    const metrics = createMetrics({ defaultMetrics: false });
    const cards = wireSlackCheckpointCards({
      settings: harness.settings,
      store,
      logger,
      onDecisionShown: (checkpoint) =>
        metrics.checkpointsDecided.inc({ kind: checkpoint.kind, outcome: checkpoint.status }),
    });
    const checkpoint = await store.checkpoints.open({
      projectId: project.id,
      kind: 'spend',
      requestedBy: 'apollo',
      request: { title: 'Buy fonts', summary: 'Fonts.', details: {} },
    });
    await cards.sync(checkpoint.id);
    const to = await store.identities.findByHandle({ surface: 'slack', externalId: 'U0TOA' });
    await store.checkpoints.decide(checkpoint.id, { outcome: 'rejected', by: to!.id, reason: 'not needed' });
    await Promise.all([
      cards.sync(checkpoint.id).catch(() => undefined),
      cards.sync(checkpoint.id).catch(() => undefined),
    ]);
    await cards.sync(checkpoint.id);
    const counted = await metrics.checkpointsDecided.get();
    expect(counted.values).toEqual([
      expect.objectContaining({ labels: { kind: 'spend', outcome: 'rejected' }, value: 1 }),
    ]);
    const card = (await store.checkpoints.get(checkpoint.id))!.cards[0]!;
    expect(
      harness.fake.callsOf('chat.update').filter((call) => call.params.ts === card.messageId),
    ).toHaveLength(1);
  });

  test('a redriven Hermes reply reaches the DM thread named by the conversation thread key', async () => {
    const notifier = wireSlackNotifier({ settings: harness.settings, store: harness.db.store, logger });
    const thread = slackConversationThread('D0CLIENT:1700000123.000200');
    expect(thread).toEqual({ surface: 'slack', channel: 'D0CLIENT', threadKey: '1700000123.000200' });
    expect(slackConversationThread('D0CLIENT')).toEqual({
      surface: 'slack',
      channel: 'D0CLIENT',
      threadKey: '',
    });
    expect(slackConversationThread('')).toBeNull();
    await notifier.deliver({
      effectId: 'reply:slack:message:D0CLIENT:1700000123.000300',
      kind: 'reply',
      text: 'Thanks for waiting: the budget is noted.',
      thread: { surface: 'slack', channel: 'D0CLIENT', threadKey: 'D0CLIENT:1700000123.000200' },
      projectId: null,
      conversationId: null,
    });
    const posted = postsTo('D0CLIENT');
    expect(posted).toHaveLength(1);
    expect(posted[0]!.params.thread_ts).toBe('1700000123.000200');
    await expect(
      notifier.deliver({
        effectId: 'x',
        kind: 'notice',
        text: 'x',
        thread: { surface: 'email', channel: 'a@b', threadKey: '<m@b>' },
        projectId: null,
        conversationId: null,
      }),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
  });

  test('a direct message (a one-time link code) reaches the person in the app DM, once', async () => {
    const notifier = wireSlackNotifier({ settings: harness.settings, store: harness.db.store, logger });
    const message = { effectId: 'link-code:abc', subject: 'Your code', text: 'Your Olympus code is 123456.' };
    await notifier.deliverTo!({ surface: 'slack', externalId: 'U0LINKER' }, message);
    await notifier.deliverTo!({ surface: 'slack', externalId: 'U0LINKER' }, message);
    // Handles of other surfaces are not Slack's to reach.
    await notifier.deliverTo!({ surface: 'email', externalId: 'someone@example.com' }, message);
    const posted = postsTo('DU0LINKER');
    expect(posted).toHaveLength(1);
    expect(posted[0]!.params.text).toBe('Your Olympus code is 123456.');
    expect(harness.fake.callsOf('conversations.open')[0]!.params.users).toBe('U0LINKER');
  });
});
