/**
 * Slack requests are bound to our workspaces. Signed requests into the real Bolt receiver (the recorded
 * payloads of test/fixtures/slack/, with only their team, enterprise or channel changed), the fake Web
 * API recording every call:
 * - from a foreign team, a foreign enterprise, or an event from a channel shared with another
 *   organisation (is_ext_shared_channel): acked 200 and dropped — no inbox row, no intake, no decision,
 *   no call at the fake Slack API — with exactly one `inbound.refused` audit event each; the same for
 *   presses, modal submissions, slash commands and options requests of a foreign team;
 * - the allow-list defaults to the team `auth.test` names (T0001 here); SLACK_ALLOWED_TEAM_IDS adds others;
 * - a TO's user id arriving with another team — a Slack Connect guest whose own team differs, or a user of
 *   a second allowed workspace — is not a TO: their press decides nothing, and their DM makes a client
 *   identity keyed by that team, apart from the TO's.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { GuidedIntakeBrain } from '../../agents/hermes/guided-intake.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
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
const TO = 'U0TOA';
const HOME = 'T0001';
const signed = { secret: SLACK_TEST_SECRET };
let sequence = 0;

interface DmEvent {
  team_id: string;
  enterprise_id?: string | null;
  event_id: string;
  is_ext_shared_channel: boolean;
  authorizations: Array<{ team_id: string | null; enterprise_id: string | null }>;
  event: { user: string; team: string; channel: string; ts: string; event_ts: string; text: string };
}

/** The recorded DM, from `team` (its envelope, installation and author), in a fresh DM channel. */
function dm(team: string, change: (event: DmEvent) => void = () => undefined): DmEvent {
  sequence += 1;
  const event = slackFixture<DmEvent>('event-message-im.json');
  event.event_id = `EvBinding${sequence}`;
  event.team_id = team;
  event.authorizations = [{ team_id: team, enterprise_id: null }];
  event.event.team = team;
  event.event.channel = `D0BIND${sequence}`;
  event.event.ts = event.event.event_ts = `1700001000.${String(sequence).padStart(6, '0')}`;
  change(event);
  return event;
}

function command(team: string, text: string): string {
  sequence += 1;
  const form = new URLSearchParams(slackFixtureText('command-hermes-pending.txt'));
  form.set('team_id', team);
  form.set('text', text);
  form.set('trigger_id', `trigger-binding-${sequence}`);
  return form.toString();
}

function optionsRequest(team: string): Record<string, unknown> {
  return {
    type: 'block_suggestion',
    team: { id: team, domain: 'somewhere' },
    enterprise: null,
    user: { id: TO, team_id: team },
    action_id: 'project.pick',
    block_id: 'pick',
    value: 'sal',
  };
}

async function startWith(settings: { allowedTeamIds?: string[] } = {}) {
  const harness = await startSlackHarness({
    toUsers: [TO],
    logger,
    settings,
    intake: (store) => new ClientMessageHandler({ store, brain: new GuidedIntakeBrain(), logger }),
  });
  const store = harness.db.store;
  const owner = await store.identities.create({ displayName: 'Salon owner' });
  const { project } = await store.projects.create({
    key: 'salon-booking',
    title: 'Salon Booking',
    ownerId: owner.id,
    brief: {},
    createdBy: owner.id,
  });
  const [task] = (await store.tasks.createMany(project.id, [
    { key: 'deploy', role: 'hephaestus', title: 'Deploy', spec: 'Ship it' },
  ])) as [Task];
  return { harness, project, task };
}

async function openWithCard(
  harness: SlackHarness,
  project: Project,
  task: Task,
): Promise<{
  checkpoint: Checkpoint;
  card: { checkpointId: string; actionHash: string; channel: string; ts: string };
}> {
  const checkpoint = await openCheckpoint({
    store: harness.db.store,
    jobs: harness.scheduler,
    checkpoint: {
      projectId: project.id,
      taskId: task.id,
      kind: 'deploy',
      requestedBy: 'hephaestus',
      request: { title: `Deploy ${++sequence}`, summary: 'Ship it.', details: { env: 'prod' } },
    },
  });
  const ref = await until(async () => (await harness.db.store.checkpoints.get(checkpoint.id))?.cards[0]);
  await harness.fake.waitFor(
    (call) => call.method === 'chat.postMessage' && call.params.channel === SLACK_TEST_OPS,
  );
  const card = {
    checkpointId: checkpoint.id,
    actionHash: String(checkpoint.request.actionHash),
    channel: SLACK_TEST_OPS,
    ts: ref.messageId,
  };
  return { checkpoint, card };
}

function approveAs(card: Parameters<typeof forCard>[1], team: string, userTeam = team): CardInteraction {
  const press = forCard(slackFixture<CardInteraction>('interaction-block-actions-approve.json'), card);
  const body = press as unknown as Record<string, unknown> & { actions: Array<{ action_ts: string }> };
  body.team = { id: team, domain: 'somewhere' };
  body.user = { id: TO, username: 'tina.ops', team_id: userTeam };
  body.actions[0]!.action_ts = `1700002000.${String(++sequence).padStart(6, '0')}`;
  return press;
}

function rejectAs(card: Parameters<typeof forCard>[1], team: string): CardInteraction {
  const submission = forCard(slackFixture<CardInteraction>('interaction-view-submission-reject.json'), card);
  const body = submission as unknown as Record<string, unknown> & { view: { id: string } };
  body.team = { id: team, domain: 'somewhere' };
  body.user = { id: TO, username: 'tina.ops', team_id: team };
  body.view.id = `V0BIND${++sequence}`;
  return submission;
}

/** The `inbound.refused` audit events of a request key. */
async function refusals(harness: SlackHarness, key: string) {
  const events = await harness.db.store.audit.list({ subjectId: key });
  return events.filter((event) => event.action === 'inbound.refused');
}

/**
 * Sends a request expected to be dropped: it is answered 200, then exactly one audit event names it, and
 * nothing is stored or called at the fake Slack API. Returns the audit event.
 */
async function expectDropped(
  harness: SlackHarness,
  key: string,
  send: () => Promise<Response>,
  reason: string,
) {
  const callsBefore = harness.fake.calls.length;
  const answer = await send();
  expect(answer.status).toBe(200);
  expect(await answer.text()).toBe('');
  const [event] = await until(async () => {
    const found = await refusals(harness, key);
    return found.length > 0 ? found : null;
  });
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(await refusals(harness, key)).toHaveLength(1);
  expect(event!.data).toMatchObject({ surface: 'slack', reason });
  expect(await harness.db.store.inbox.get(key)).toBeNull();
  expect(harness.fake.calls.slice(callsBefore)).toEqual([]);
  return event!;
}

describe('Slack requests bound to the workspace auth.test names (default allow-list)', () => {
  let harness: SlackHarness;
  let project: Project;
  let task: Task;

  beforeAll(async () => {
    ({ harness, project, task } = await startWith());
  }, 60_000);

  afterAll(async () => {
    await harness?.teardown();
  });

  test('a DM event from a foreign team: acked, dropped, audited once; no intake', async () => {
    const event = dm('T0EVIL');
    const key = `slack:event:${event.event_id}`;
    const audit = await expectDropped(
      harness,
      key,
      () => postEvent(harness.url, event, signed),
      'foreign_team',
    );
    expect(audit.data).toMatchObject({ teamId: 'T0EVIL', enterpriseId: null, userId: 'U0CLIENT01' });
    const store = harness.db.store;
    expect(await store.conversations.findByThread('slack', event.event.channel)).toBeNull();
    expect(await store.identities.findByHandle({ surface: 'slack', externalId: 'U0CLIENT01' })).toBeNull();
    expect(
      await store.identities.findByHandle({ surface: 'slack', externalId: 'T0EVIL:U0CLIENT01' }),
    ).toBeNull();
  });

  test('an event of our team that names a foreign enterprise: dropped and audited once', async () => {
    const event = dm(HOME, (body) => {
      body.enterprise_id = 'E0EVIL';
    });
    const key = `slack:event:${event.event_id}`;
    const audit = await expectDropped(
      harness,
      key,
      () => postEvent(harness.url, event, signed),
      'foreign_enterprise',
    );
    expect(audit.data).toMatchObject({ teamId: HOME, enterpriseId: 'E0EVIL' });
    expect(await harness.db.store.conversations.findByThread('slack', event.event.channel)).toBeNull();
  });

  test('an event delivered for a foreign installation (authorizations) is dropped and audited once', async () => {
    const event = dm(HOME, (body) => {
      body.authorizations = [{ team_id: 'T0EVIL', enterprise_id: null }];
    });
    const key = `slack:event:${event.event_id}`;
    await expectDropped(
      harness,
      key,
      () => postEvent(harness.url, event, signed),
      'foreign_authorization:foreign_team',
    );
  });

  test('an event from an is_ext_shared_channel channel (Slack Connect) is dropped and audited once', async () => {
    const event = dm(HOME, (body) => {
      body.is_ext_shared_channel = true;
      body.event.team = 'T0GUEST';
    });
    const key = `slack:event:${event.event_id}`;
    await expectDropped(harness, key, () => postEvent(harness.url, event, signed), 'ext_shared_channel');
    expect(await harness.db.store.conversations.findByThread('slack', event.event.channel)).toBeNull();
  });

  test("a foreign team's Approve press, Reject submission, slash command and options request decide and answer nothing", async () => {
    const { checkpoint, card } = await openWithCard(harness, project, task);
    const press = approveAs(card, 'T0EVIL');
    const pressKey = `slack:action:T0EVIL:${TO}:${press.actions![0]!.action_ts}:checkpoint.approve`;
    await expectDropped(harness, pressKey, () => postInteraction(harness.url, press, signed), 'foreign_team');

    const submission = rejectAs(card, 'T0EVIL');
    const viewKey = `slack:view:T0EVIL:${TO}:${(submission as unknown as { view: { id: string } }).view.id}`;
    await expectDropped(
      harness,
      viewKey,
      () => postInteraction(harness.url, submission, signed),
      'foreign_team',
    );

    const body = command('T0EVIL', 'pending');
    const commandKey = `slack:command:T0EVIL:${TO}:${new URLSearchParams(body).get('trigger_id')}`;
    await expectDropped(harness, commandKey, () => postForm(harness.url, body, signed), 'foreign_team');

    const optionsKey = `slack:options:T0EVIL:${TO}:project.pick`;
    await expectDropped(
      harness,
      optionsKey,
      () => postInteraction(harness.url, optionsRequest('T0EVIL'), signed),
      'foreign_team',
    );

    expect((await harness.db.store.checkpoints.get(checkpoint.id))?.status).toBe('pending');
  });

  test('an options request of our team is answered with no options and not audited', async () => {
    const answer = await postInteraction(harness.url, optionsRequest(HOME), signed);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ options: [] });
    expect(await refusals(harness, `slack:options:${HOME}:${TO}:project.pick`)).toEqual([]);
  });

  test("a TO's user id arriving as a Slack Connect guest of another team is not a TO", async () => {
    const { checkpoint, card } = await openWithCard(harness, project, task);
    const press = approveAs(card, HOME, 'T0GUEST');
    const key = `slack:action:${HOME}:${TO}:${press.actions![0]!.action_ts}:checkpoint.approve`;
    expect((await postInteraction(harness.url, press, signed)).status).toBe(200);
    await until(async () => (await harness.db.store.inbox.get(key))?.status === 'done');
    // The press was ours to handle (our team's channel), but the presser is a guest: refused, told so.
    const refusal = await harness.fake.waitFor(
      (call) => call.method === 'chat.postEphemeral' && call.params.user === TO,
    );
    expect(String(refusal.params.text)).not.toContain('already');
    expect((await harness.db.store.checkpoints.get(checkpoint.id))?.status).toBe('pending');
    expect(await refusals(harness, key)).toEqual([]);

    // The same press by the TO of our own team decides it.
    const own = approveAs(card, HOME);
    expect((await postInteraction(harness.url, own, signed)).status).toBe(200);
    const decided = await until(async () => {
      const found = await harness.db.store.checkpoints.get(checkpoint.id);
      return found?.status !== 'pending' ? found : null;
    });
    const to = await harness.db.store.identities.findByHandle({ surface: 'slack', externalId: TO });
    expect(decided.status).toBe('approved');
    expect(decided.decision?.by).toBe(to?.id);
  });
});

describe('SLACK_ALLOWED_TEAM_IDS: a second workspace served, its users keyed by their team', () => {
  let harness: SlackHarness;
  let project: Project;
  let task: Task;

  beforeAll(async () => {
    ({ harness, project, task } = await startWith({ allowedTeamIds: [HOME, 'T0PARTNER'] }));
  }, 60_000);

  afterAll(async () => {
    await harness?.teardown();
  });

  test("the TO's user id pressing from the second workspace is not a TO; its DM is a client of that team", async () => {
    const { checkpoint, card } = await openWithCard(harness, project, task);
    const press = approveAs(card, 'T0PARTNER');
    const key = `slack:action:T0PARTNER:${TO}:${press.actions![0]!.action_ts}:checkpoint.approve`;
    expect((await postInteraction(harness.url, press, signed)).status).toBe(200);
    await until(async () => (await harness.db.store.inbox.get(key))?.status === 'done');
    await harness.fake.waitFor((call) => call.method === 'chat.postEphemeral' && call.params.user === TO);
    expect((await harness.db.store.checkpoints.get(checkpoint.id))?.status).toBe('pending');

    const event = dm('T0PARTNER', (body) => {
      body.event.user = TO;
    });
    expect((await postEvent(harness.url, event, signed)).status).toBe(200);
    await harness.fake.waitFor(
      (call) => call.method === 'chat.postMessage' && call.params.channel === event.event.channel,
    );
    const store = harness.db.store;
    const guest = await store.identities.findByHandle({ surface: 'slack', externalId: `T0PARTNER:${TO}` });
    const to = await store.identities.findByHandle({ surface: 'slack', externalId: TO });
    expect(guest?.role).toBe('client');
    expect(to?.role).toBe('to');
    expect(guest?.id).not.toBe(to?.id);
  });

  test('a team outside the list is still dropped and audited once', async () => {
    const event = dm('T0EVIL');
    await expectDropped(
      harness,
      `slack:event:${event.event_id}`,
      () => postEvent(harness.url, event, signed),
      'foreign_team',
    );
  });
});
