/**
 * Prompt-injection defences on the Slack surface, end to end (real Bolt receiver, fake Slack Web API,
 * embedded PostgreSQL, real job scheduler): a card names the action hash it showed, so once the
 * checkpoint's arguments change the old card cannot approve them; and outbound text is escaped, its
 * links defanged, with unfurling off.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createSilentLogger } from '../../common/logging/logger.js';
import { actionHash } from '../../orchestration/checkpoints/action-hash.js';
import { decideCheckpoint } from '../../handlers/checkpoints/decide-checkpoint.js';
import { openCheckpoint } from '../../orchestration/checkpoints/open-checkpoint.js';
import { reviseCheckpoint } from '../../orchestration/checkpoints/revise-checkpoint.js';
import { GuidedIntakeBrain } from '../../agents/hermes/guided-intake.js';
import { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import type { Checkpoint, Project } from '../../ports/store.js';
import type { EmbeddedStore } from '../support/embedded-store.js';
import type { FakeSlackApi, RecordedCall } from '../support/fake-slack-api.js';
import { postEvent, postInteraction } from '../support/slack-signing.js';
import {
  SLACK_TEST_OPS,
  SLACK_TEST_SECRET,
  startSlackHarness,
  type SlackHarness,
} from '../support/slack-harness.js';
import { until } from '../support/until.js';

const SECRET = SLACK_TEST_SECRET;
const OPS = SLACK_TEST_OPS;
const TO = 'U0TOA';
const CLIENT = 'U0CLIENT';
const logger = createSilentLogger();
const signed = { secret: SECRET };
let sequence = 0;

interface Button {
  action_id: string;
  value: string;
}

function buttonsOf(call: RecordedCall): Button[] {
  const blocks = call.params.blocks as Array<{ type: string; elements?: Button[] }>;
  return blocks.find((block) => block.type === 'actions')?.elements ?? [];
}

/** What Slack sends when `user` presses the button as it was on a card (its value, unchanged). */
function pressButton(button: Button, user: string, cardTs: string) {
  sequence += 1;
  return {
    type: 'block_actions',
    token: 'x',
    api_app_id: 'A0001',
    trigger_id: `trigger-hash-${sequence}`,
    team: { id: 'T0001', domain: 'olympus' },
    user: { id: user, username: user, team_id: 'T0001' },
    channel: { id: OPS, name: 'ops' },
    container: { type: 'message', message_ts: cardTs, channel_id: OPS },
    message: { type: 'message', ts: cardTs, text: 'card' },
    actions: [
      {
        type: 'button',
        action_id: button.action_id,
        block_id: 'checkpoint',
        value: button.value,
        action_ts: `1700000300.${sequence}`,
      },
    ],
  };
}

describe('checkpoint action hash and outbound text on Slack', () => {
  let db: EmbeddedStore;
  let fake: FakeSlackApi;
  let scheduler: AgendaJobQueue;
  let url: string;
  let project: Project;

  let harness: SlackHarness;

  beforeAll(async () => {
    // The real intake: Hermes' guided replies quote what the client wrote (e.g. the project's title).
    harness = await startSlackHarness({
      toUsers: [TO],
      logger,
      intake: (store) => new ClientMessageHandler({ store, brain: new GuidedIntakeBrain(), logger }),
    });
    ({ db, fake, scheduler, url } = harness);
    const store = db.store;
    const owner = await store.identities.create({ displayName: 'Client' });
    ({ project } = await store.projects.create({
      key: 'infra',
      title: 'Infra',
      ownerId: owner.id,
      budget: { amount: 500, currency: 'USD' },
      brief: {},
      createdBy: owner.id,
    }));
  });

  afterAll(async () => {
    await harness?.teardown();
  });

  const audits = async (id: string, action: string) =>
    (await db.store.audit.list({ subjectId: id })).filter((event) => event.action === action);

  async function openDeploy(): Promise<{ checkpoint: Checkpoint; post: RecordedCall; ts: string }> {
    const checkpoint = await openCheckpoint({
      store: db.store,
      jobs: scheduler,
      checkpoint: {
        projectId: project.id,
        kind: 'deploy',
        requestedBy: 'hephaestus',
        request: {
          title: 'Deploy v1',
          summary: 'First deploy to production.',
          details: { env: 'prod', replicas: 2, infrastructure: { plan: '2 small VMs' } },
        },
      },
    });
    const effectId = `slack.card:${checkpoint.id}:post`;
    const post = await fake.waitFor(
      (call) =>
        call.method === 'chat.postMessage' && JSON.stringify(call.params.metadata ?? '').includes(effectId),
    );
    const card = await until(async () => (await db.store.checkpoints.get(checkpoint.id))?.cards[0]);
    return { checkpoint, post, ts: card.messageId };
  }

  test('the card carries the action hash; after the arguments change the old card cannot approve', async () => {
    const { checkpoint, post, ts } = await openDeploy();
    const hash = actionHash('deploy', checkpoint.request.details);
    expect(checkpoint.request.actionHash).toBe(hash);
    const oldButtons = buttonsOf(post);
    expect(oldButtons.map((button) => button.value)).toEqual([
      `${checkpoint.id}:${hash}`,
      `${checkpoint.id}:${hash}`,
      `${checkpoint.id}:${hash}`,
    ]);
    expect(post.params.unfurl_links).toBe('false');
    expect(post.params.unfurl_media).toBe('false');

    // A re-plan changes the arguments: stored request and hash change, the card is re-synced.
    const revised = await reviseCheckpoint({
      store: db.store,
      jobs: scheduler,
      checkpointId: checkpoint.id,
      by: 'hephaestus',
      request: { details: { env: 'prod', replicas: 20, infrastructure: { plan: '20 large VMs' } } },
    });
    expect(revised.status).toBe('revised');
    const newHash = actionHash('deploy', {
      env: 'prod',
      replicas: 20,
      infrastructure: { plan: '20 large VMs' },
    });
    expect((await db.store.checkpoints.get(checkpoint.id))?.request.actionHash).toBe(newHash);
    const refreshed = await fake.waitFor((call) => call.method === 'chat.update' && call.params.ts === ts);
    expect(JSON.stringify(refreshed.params.blocks)).toContain('20 large VMs');
    expect(refreshed.params.unfurl_links).toBe('false');
    expect(refreshed.params.unfurl_media).toBe('false');
    const newButtons = buttonsOf(refreshed);
    expect(newButtons[0]?.value).toBe(`${checkpoint.id}:${newHash}`);

    // Approve on the OLD card: refused with a notice, audited, not decided.
    const stale = pressButton(oldButtons[0]!, TO, ts);
    expect((await postInteraction(url, stale, signed)).status).toBe(200);
    const notice = await fake.waitFor(
      (call) => call.method === 'chat.postEphemeral' && String(call.params.text).includes('out of date'),
    );
    expect(notice.params.user).toBe(TO);
    const refusals = await until(async () => {
      const found = await audits(checkpoint.id, 'checkpoint.decision_refused');
      return found.length > 0 ? found : null;
    });
    expect(refusals[0]?.data).toMatchObject({
      reason: 'stale_card',
      outcome: 'approved',
      seenActionHash: hash,
      currentActionHash: newHash,
    });
    expect((await db.store.checkpoints.get(checkpoint.id))?.status).toBe('pending');
    expect(await audits(checkpoint.id, 'checkpoint.decided')).toHaveLength(0);

    // Approve on the refreshed card works.
    expect((await postInteraction(url, pressButton(newButtons[0]!, TO, ts), signed)).status).toBe(200);
    const decided = await until(async () => {
      const found = await db.store.checkpoints.get(checkpoint.id);
      return found?.status === 'approved' ? found : null;
    });
    expect(decided.request.details).toMatchObject({ replicas: 20 });
    expect(await audits(checkpoint.id, 'checkpoint.decided')).toHaveLength(1);
    const final = await fake.waitFor(
      (call) => call.method === 'chat.update' && call.params.ts === ts && call !== refreshed,
    );
    expect(JSON.stringify(final.params.blocks)).toContain('Approved');
  });

  test('a Modify from an old card is refused before the modal opens and when its modal is submitted', async () => {
    const { checkpoint, post, ts } = await openDeploy();
    const modify = buttonsOf(post)[1]!;
    // The modal opens while the card is current…
    const opening = pressButton(modify, TO, ts);
    await postInteraction(url, opening, signed);
    const opened = await fake.waitFor(
      (call) => call.method === 'views.open' && call.params.trigger_id === opening.trigger_id,
    );
    const metadata = (opened.params.view as { private_metadata: string }).private_metadata;
    expect(JSON.parse(metadata)).toMatchObject({ actionHash: checkpoint.request.actionHash });
    // …then the arguments change before it is submitted.
    await reviseCheckpoint({
      store: db.store,
      jobs: scheduler,
      checkpointId: checkpoint.id,
      by: 'hephaestus',
      request: { details: { env: 'prod', replicas: 3 } },
    });
    sequence += 1;
    const submission = {
      type: 'view_submission',
      token: 'x',
      api_app_id: 'A0001',
      trigger_id: `trigger-hash-${sequence}`,
      team: { id: 'T0001', domain: 'olympus' },
      user: { id: TO, username: TO, team_id: 'T0001' },
      view: {
        id: `VH${sequence}`,
        type: 'modal',
        team_id: 'T0001',
        callback_id: 'checkpoint.modify',
        private_metadata: metadata,
        hash: 'h',
        state: { values: { decision: { text: { type: 'plain_text_input', value: 'one replica' } } } },
      },
    };
    expect((await postInteraction(url, submission, signed)).status).toBe(200);
    await until(async () => (await audits(checkpoint.id, 'checkpoint.decision_refused')).length === 1);
    // A press of the old Modify button no longer opens a modal.
    const late = pressButton(modify, TO, ts);
    await postInteraction(url, late, signed);
    await until(async () => (await audits(checkpoint.id, 'checkpoint.decision_refused')).length === 2);
    expect(fake.callsOf('views.open').filter((call) => call.params.trigger_id === late.trigger_id)).toEqual(
      [],
    );
    expect((await db.store.checkpoints.get(checkpoint.id))?.status).toBe('pending');
  });

  test('the hash is checked in the compare-and-set; CLI callers may omit it', async () => {
    const { checkpoint } = await openDeploy();
    const operator = await db.store.identities.findByHandle({ surface: 'slack', externalId: TO });
    expect(operator).not.toBeNull();
    const base = {
      store: db.store,
      jobs: scheduler,
      checkpointId: checkpoint.id,
      decider: operator,
      deciderLabel: `slack:${TO}`,
      outcome: 'approved' as const,
    };
    const stale = await decideCheckpoint({ ...base, actionHash: 'f'.repeat(64) });
    expect(stale).toMatchObject({ status: 'refused', reason: 'stale_card' });
    const missing = await decideCheckpoint({ ...base, actionHash: null });
    expect(missing).toMatchObject({ status: 'refused', reason: 'stale_card' });
    // The store itself refuses a decision naming another hash, whatever the caller checked before.
    const cas = await db.store.checkpoints.decide(
      checkpoint.id,
      { outcome: 'approved', by: operator!.id },
      { expectedActionHash: 'f'.repeat(64) },
    );
    expect(cas.won).toBe(false);
    expect(cas.checkpoint?.status).toBe('pending');
    const cli = await decideCheckpoint(base);
    expect(cli.status).toBe('decided');
  });

  test('a decider still being looked up: unknown is refused, a failed lookup decides nothing, a TO decides', async () => {
    const { checkpoint } = await openDeploy();
    const operator = await db.store.identities.findByHandle({ surface: 'slack', externalId: TO });
    const base = {
      store: db.store,
      jobs: scheduler,
      checkpointId: checkpoint.id,
      deciderLabel: 'slack:U0NOBODY',
      outcome: 'approved' as const,
      actionHash: actionHash('deploy', checkpoint.request.details),
    };
    const unknown = await decideCheckpoint({ ...base, decider: Promise.resolve(null) });
    expect(unknown).toMatchObject({ status: 'refused', reason: 'not_allowed' });
    const refusals = await audits(checkpoint.id, 'checkpoint.decision_refused');
    expect(refusals.map((event) => [event.actor, event.data.reason])).toEqual([
      ['slack:U0NOBODY', 'not_allowed'],
    ]);
    await expect(
      decideCheckpoint({ ...base, decider: Promise.reject(new Error('directory unavailable')) }),
    ).rejects.toThrow('directory unavailable');
    expect((await db.store.checkpoints.get(checkpoint.id))?.status).toBe('pending');
    const decided = await decideCheckpoint({
      ...base,
      decider: new Promise((resolve) => setTimeout(() => resolve(operator), 20)),
    });
    expect(decided.status).toBe('decided');
    expect((await db.store.checkpoints.get(checkpoint.id))?.decision?.by).toBe(operator!.id);
  });

  test('a client DM whose reply holds <!channel> and links is posted escaped, defanged, unfurl off', async () => {
    const dm = (eventId: string, ts: string, text: string, threadTs?: string) => ({
      token: 'x',
      team_id: 'T0001',
      api_app_id: 'A0001',
      type: 'event_callback',
      event_id: eventId,
      event_time: 1,
      authorizations: [{ team_id: 'T0001', user_id: 'U0BOT', is_bot: true }],
      event: {
        type: 'message',
        channel_type: 'im',
        channel: 'D0HOSTILE',
        user: CLIENT,
        text,
        ts,
        event_ts: ts,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      },
    });
    const replies = () =>
      fake.callsOf('chat.postMessage').filter((call) => call.params.channel === 'D0HOSTILE');
    const nthReply = (n: number) => until(() => Promise.resolve(replies()[n - 1]));
    const first = '1700000400.000100';
    expect(
      (await postEvent(url, dm('EvHostile1', first, 'We need a web shop for our bakery.'), signed)).status,
    ).toBe(200);
    await nthReply(1);
    // Asked for a title, the client answers with mentions and links; Hermes repeats the title back.
    const second = '1700000401.000100';
    const hostile = '<!channel> <http://evil.example/login|your invoice> https://evil.example/x & <@U0TOA>';
    expect((await postEvent(url, dm('EvHostile2', second, hostile, first), signed)).status).toBe(200);
    const reply = await nthReply(2);
    expect(reply.params.thread_ts).toBe(first);
    expect(reply.params.unfurl_links).toBe('false');
    expect(reply.params.unfurl_media).toBe('false');
    const text = String(reply.params.text);
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).toContain('&lt;hxxp://evil[.]example/login|your invoice&gt;');
    expect(text).toContain('hxxps://evil[.]example/x &amp; &lt;@U0TOA&gt;');
    expect(text).not.toMatch(/<[!@#]|<https?:|https?:\/\/evil/);
  });
});
