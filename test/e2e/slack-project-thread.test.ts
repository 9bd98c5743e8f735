/**
 * A client's DM intake on Slack, through signed events into the real receiver and the guided Hermes:
 * when the client confirms the brief, the project gets one project thread in the client's DM, recorded
 * on the project, and a notice to that thread goes out through the Slack notifier.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { GuidedIntakeBrain } from '../../agents/hermes/guided-intake.js';
import { wireSlackNotifier } from '../../bot/wiring/slack.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
import { postEvent } from '../support/slack-signing.js';
import { SLACK_TEST_SECRET, startSlackHarness, type SlackHarness } from '../support/slack-harness.js';
import { until } from '../support/until.js';

const logger = createSilentLogger();
const CLIENT = 'U0BUYER';
const DM = 'D0BUYER';

describe('project threads on Slack', () => {
  let harness: SlackHarness;
  let sequence = 0;

  beforeAll(async () => {
    harness = await startSlackHarness({
      toUsers: ['U0TOA'],
      logger,
      intake: (store) => new ClientMessageHandler({ store, brain: new GuidedIntakeBrain(), logger }),
    });
  });

  afterAll(async () => {
    await harness?.teardown();
  });

  /** Sends a DM in the conversation's thread and waits for Hermes's reply to it. */
  async function say(text: string, root: string): Promise<string> {
    sequence += 1;
    const ts = `1700001000.${String(sequence).padStart(6, '0')}`;
    const event = {
      token: 'x',
      team_id: 'T0001',
      api_app_id: 'A0001',
      type: 'event_callback',
      event_id: `EvThread${sequence}`,
      event_time: 1,
      event: {
        type: 'message',
        channel_type: 'im',
        channel: DM,
        user: CLIENT,
        text,
        ts,
        ...(root === '' ? {} : { thread_ts: root }),
        event_ts: ts,
      },
    };
    expect((await postEvent(harness.url, event, { secret: SLACK_TEST_SECRET })).status).toBe(200);
    const reply = await harness.fake.waitFor(
      (call) =>
        call.method === 'chat.postMessage' &&
        JSON.stringify(call.params.metadata ?? '').includes(`slack.reply:${DM}:${ts}`),
    );
    return String(reply.params.text);
  }

  test('confirming the brief opens one project thread in the DM; notices reach it', async () => {
    const { db, fake } = harness;
    await say('We need a weekly digest of our sales numbers for the team', '');
    const root = '1700001000.000001';
    await say('Sales Digest', root);
    await say('email digest (must), slack post (should), PDF export (could)', root);
    await say('March 15', root);
    const summary = await say('$12k', root);
    expect(summary.toLowerCase()).toContain('confirm');
    await say('yes', root);

    const project = await until(async () => {
      const [found] = await db.store.projects.list();
      return found && found.threads.length > 0 ? found : null;
    });
    expect(project.threads).toEqual([{ surface: 'slack', channel: DM, threadKey: expect.any(String) }]);
    const roots = fake
      .callsOf('chat.postMessage')
      .filter((call) => JSON.stringify(call.params.metadata ?? '').includes('slack.project-thread:'));
    expect(roots).toHaveLength(1);
    expect(roots[0]!.params.channel).toBe(DM);
    expect(roots[0]!.params.thread_ts).toBeUndefined();
    expect(String(roots[0]!.params.text)).toContain('Sales Digest');

    // Another message after the hand-off opens no second thread.
    await say('thanks!', root);
    const again = fake
      .callsOf('chat.postMessage')
      .filter((call) => JSON.stringify(call.params.metadata ?? '').includes('slack.project-thread:'));
    expect(again).toHaveLength(1);

    const notifier = wireSlackNotifier({ settings: harness.settings, store: db.store, logger });
    await notifier.deliver({
      effectId: `notice:${project.id}:plan`,
      kind: 'notice',
      text: 'The plan is ready for review.',
      thread: project.threads[0]!,
      projectId: project.id,
      conversationId: null,
    });
    const notice = await fake.waitFor(
      (call) => call.method === 'chat.postMessage' && call.params.text === 'The plan is ready for review.',
    );
    expect(notice.params).toMatchObject({ channel: DM, thread_ts: project.threads[0]!.threadKey });
  }, 60_000);
});
