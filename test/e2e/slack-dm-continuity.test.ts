/**
 * A Slack DM is one conversation with the client, whatever the threading. Signed events into the real
 * receiver, the guided Hermes (no LLM configured), replies recorded by the fake Web API:
 * - a client who answers the intake with top-level DM messages only reaches a confirmed brief, greeted
 *   exactly once (before, each top-level message started a new intake and was greeted again);
 * - top-level messages and thread replies in the same DM continue the same intake, and a new project
 *   starts only when the client asks for one ("new project"), still without a second greeting.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { GuidedIntakeBrain } from '../../agents/hermes/guided-intake.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
import { postEvent } from '../support/slack-signing.js';
import { SLACK_TEST_SECRET, startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import { until } from '../support/until.js';

const logger = createSilentLogger();
const GREETING = "Hello, I'm Hermes";

describe('Slack DMs: one conversation per DM', () => {
  let harness: SlackHarness;
  let sequence = 0;

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

  /** Sends a DM (top level, or in the thread `root`) and waits for Hermes's reply to it. */
  async function say(dm: { channel: string; user: string }, text: string, root?: string) {
    sequence += 1;
    const ts = `1700003000.${String(sequence).padStart(6, '0')}`;
    const event = {
      token: 'x',
      team_id: 'T0001',
      api_app_id: 'A0001',
      type: 'event_callback',
      event_id: `EvContinuity${sequence}`,
      event_time: 1,
      authorizations: [{ enterprise_id: null, team_id: 'T0001', user_id: 'U0BOT', is_bot: true }],
      is_ext_shared_channel: false,
      event: {
        type: 'message',
        channel_type: 'im',
        channel: dm.channel,
        user: dm.user,
        team: 'T0001',
        text,
        ts,
        ...(root === undefined ? {} : { thread_ts: root }),
        event_ts: ts,
      },
    };
    expect((await postEvent(harness.url, event, { secret: SLACK_TEST_SECRET })).status).toBe(200);
    const reply = await harness.fake.waitFor(
      (call) =>
        call.method === 'chat.postMessage' &&
        JSON.stringify(call.params.metadata ?? '').includes(`slack.reply:${dm.channel}:${ts}`),
    );
    return { ts, text: String(reply.params.text) };
  }

  /** Hermes's replies in a DM, in order (not the project thread's root or notices). */
  function repliesIn(channel: string): string[] {
    return harness.fake
      .callsOf('chat.postMessage')
      .filter(
        (call) =>
          call.params.channel === channel &&
          JSON.stringify(call.params.metadata ?? '').includes(`slack.reply:${channel}:`),
      )
      .map((call) => String(call.params.text));
  }

  test('a client answering with top-level DM messages only reaches a confirmed brief, greeted once', async () => {
    const dm = { channel: 'D0TOPLEVEL', user: 'U0TOPLEVEL' };
    const answers = [
      'We need a weekly digest of our sales numbers for the team',
      'Sales Digest',
      'email digest (must), slack post (should), PDF export (could)',
      'March 15',
      '$12k',
    ];
    for (const answer of answers) await say(dm, answer);
    const confirmed = await say(dm, 'yes');
    expect(confirmed.text).toContain('Confirmed.');
    expect(confirmed.text).toContain('Sales Digest');

    const replies = repliesIn(dm.channel);
    expect(replies).toHaveLength(answers.length + 1);
    expect(replies.filter((text) => text.includes(GREETING))).toHaveLength(1);
    expect(replies[0]).toContain(GREETING);
    expect(replies[answers.length - 1]!.toLowerCase()).toContain('confirm');

    const store = harness.db.store;
    const client = await store.identities.findByHandle({ surface: 'slack', externalId: dm.user });
    const conversations = await store.conversations.listByIdentity(client!.id);
    expect(conversations).toHaveLength(1);
    const [conversation] = conversations;
    expect(conversation).toMatchObject({ threadKey: dm.channel, state: 'handed_off' });
    expect(conversation!.messages).toHaveLength(2 * (answers.length + 1));
    const project = await until(async () => {
      const owned = await store.projects.list({ ownerId: client!.id });
      return owned.length === 1 ? owned[0] : null;
    });
    expect(project).toMatchObject({ title: 'Sales Digest' });
    expect(conversation!.projectId).toBe(project.id);
  });

  test('top-level messages and thread replies continue one intake; "new project" starts the next', async () => {
    const dm = { channel: 'D0MIXED', user: 'U0MIXED' };
    const first = await say(dm, 'We need a booking page for our salon');
    await say(dm, 'Salon Booking', first.ts);
    await say(dm, 'online booking (must), reminders (should)');
    await say(dm, 'in 8 weeks', first.ts);
    const summary = await say(dm, '5000 EUR');
    expect(summary.text.toLowerCase()).toContain('confirm');
    expect((await say(dm, 'yes', first.ts)).text).toContain('Confirmed.');

    const next = await say(dm, 'new project');
    expect(next.text).toContain('Happy to start another one.');
    const store = harness.db.store;
    const conversation = await store.conversations.findByThread('slack', dm.channel);
    expect(conversation).toMatchObject({ state: 'collecting', projectId: null, draft: {} });
    const client = await store.identities.findByHandle({ surface: 'slack', externalId: dm.user });
    expect(await store.conversations.listByIdentity(client!.id)).toHaveLength(1);
    expect((await store.projects.list({ ownerId: client!.id })).map((project) => project.title)).toEqual([
      'Salon Booking',
    ]);
    expect(repliesIn(dm.channel).filter((text) => text.includes(GREETING))).toHaveLength(1);
  });
});
