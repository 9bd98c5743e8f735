/**
 * The Slack surface end to end: signed requests over HTTP into the real Bolt receiver on the Olympus
 * HTTP server, a recording fake Slack Web API, an embedded PostgreSQL store and a real job scheduler.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import express from 'express';
import { parse as parseYaml } from 'yaml';
import { createSilentLogger } from '../../common/logging/logger.js';
import { wireSlackSurface } from '../../bot/wiring/slack.js';
import { CARD_SYNC_LEASE_MS } from '../../handlers/checkpoints/card-sync.js';
import type { SlackSettings } from '../../bot/slack/slack-settings.js';
import { GuidedIntakeBrain } from '../../agents/hermes/guided-intake.js';
import { openCheckpoint } from '../../orchestration/checkpoints/open-checkpoint.js';
import { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
import type { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import type { Checkpoint, Project, Task } from '../../ports/store.js';
import type { EmbeddedStore } from '../support/embedded-store.js';
import type { FakeSlackApi, RecordedCall } from '../support/fake-slack-api.js';
import { postEvent, postForm, postInteraction } from '../support/slack-signing.js';
import {
  SLACK_TEST_OPS,
  SLACK_TEST_SECRET,
  startSlackHarness,
  type SlackHarness,
} from '../support/slack-harness.js';
import { until } from '../support/until.js';

const SECRET = SLACK_TEST_SECRET;
const OPS = SLACK_TEST_OPS;
const [TO_A, TO_B, CLIENT] = ['U0TOA', 'U0TOB', 'U0CLIENT'];
const logger = createSilentLogger();
const signed = { secret: SECRET };
let sequence = 0;

const mention = (eventId: string) => ({
  token: 'x',
  team_id: 'T0001',
  api_app_id: 'A0001',
  type: 'event_callback',
  event_id: eventId,
  event_time: 1,
  authorizations: [{ team_id: 'T0001', user_id: 'U0BOT', is_bot: true }],
  event: {
    type: 'app_mention',
    user: CLIENT,
    text: '<@U0BOT> hello',
    ts: '1700000000.000001',
    channel: 'C0DM',
    event_ts: '1700000000.000001',
  },
});

/** A button press on the card of `checkpoint` as posted (its value names the id and the action hash). */
function press(
  action: 'approve' | 'modify' | 'reject',
  checkpoint: Pick<Checkpoint, 'id' | 'request'>,
  user: string,
  cardTs = '1.0',
) {
  sequence += 1;
  const checkpointId = checkpoint.id;
  return {
    type: 'block_actions',
    token: 'x',
    api_app_id: 'A0001',
    trigger_id: `trigger-${sequence}`,
    team: { id: 'T0001', domain: 'olympus' },
    user: { id: user, username: user, team_id: 'T0001' },
    channel: { id: OPS, name: 'ops' },
    container: { type: 'message', message_ts: cardTs, channel_id: OPS },
    message: { type: 'message', ts: cardTs, text: 'card' },
    actions: [
      {
        type: 'button',
        action_id: `checkpoint.${action}`,
        block_id: `checkpoint:${checkpointId}`,
        value: `${checkpointId}:${checkpoint.request.actionHash}`,
        action_ts: `1700000100.${sequence}`,
      },
    ],
  };
}

function submission(kind: 'modify' | 'reject', privateMetadata: string, user: string, text: string) {
  sequence += 1;
  return {
    type: 'view_submission',
    token: 'x',
    api_app_id: 'A0001',
    trigger_id: `trigger-${sequence}`,
    team: { id: 'T0001', domain: 'olympus' },
    user: { id: user, username: user, team_id: 'T0001' },
    view: {
      id: `V${sequence}`,
      type: 'modal',
      team_id: 'T0001',
      callback_id: `checkpoint.${kind}`,
      private_metadata: privateMetadata,
      hash: 'h',
      state: { values: { decision: { text: { type: 'plain_text_input', value: text } } } },
    },
  };
}

describe('Slack surface', () => {
  let db: EmbeddedStore;
  let fake: FakeSlackApi;
  let scheduler: AgendaJobQueue;
  let url: string;
  let project: Project;
  let task: Task;
  let settings: SlackSettings;

  let harness: SlackHarness;

  beforeAll(async () => {
    harness = await startSlackHarness({
      toUsers: [TO_A, TO_B],
      logger,
      intake: (store) => new ClientMessageHandler({ store, brain: new GuidedIntakeBrain(), logger }),
    });
    ({ db, fake, scheduler, url, settings } = harness);
    const store = db.store;
    const owner = await store.identities.create({ displayName: 'Client' });
    await store.identities.ensureByHandle({ surface: 'slack', externalId: CLIENT }, { displayName: CLIENT });
    ({ project } = await store.projects.create({
      key: 'shop',
      title: 'Web shop',
      ownerId: owner.id,
      budget: { amount: 500, currency: 'USD' },
      brief: {},
      createdBy: owner.id,
    }));
    [task] = (await store.tasks.createMany(project.id, [
      { key: 'api', role: 'apollo', title: 'Build the API', spec: 'REST API' },
    ])) as [Task];
  });

  afterAll(async () => {
    await harness?.teardown();
  });

  /** Opens a checkpoint and waits for its card; returns it with the card's post call. */
  async function openWithCard(
    title = 'Buy a domain',
  ): Promise<{ checkpoint: Checkpoint; post: RecordedCall; ts: string }> {
    const checkpoint = await openCheckpoint({
      store: db.store,
      jobs: scheduler,
      checkpoint: {
        projectId: project.id,
        taskId: task.id,
        kind: 'spend',
        requestedBy: 'apollo',
        request: {
          title,
          summary: 'A domain for the shop.',
          details: { spend: { amount: 12, currency: 'USD' } },
        },
      },
    });
    const effectId = `slack.card:${checkpoint.id}:post`;
    const post = await fake.waitFor(
      (call) =>
        call.method === 'chat.postMessage' && JSON.stringify(call.params.metadata ?? '').includes(effectId),
    );
    await until(async () => ((await db.store.checkpoints.get(checkpoint.id))?.cards.length ?? 0) > 0);
    return {
      checkpoint,
      post,
      ts: String((await db.store.checkpoints.get(checkpoint.id))!.cards[0]!.messageId),
    };
  }

  const updatesOf = (ts: string) => fake.callsOf('chat.update').filter((call) => call.params.ts === ts);
  const audits = async (id: string, action: string) =>
    (await db.store.audit.list({ subjectId: id })).filter((event) => event.action === action);

  test('a forged signature is refused with 401 and nothing is stored', async () => {
    const response = await postEvent(url, mention('EvForged'), { secret: 'wrong-secret' });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({
      error: 'invalid_request',
      message: expect.stringContaining('signature'),
    });
    expect(await db.store.inbox.get('slack:event:EvForged')).toBeNull();
  });

  test('timestamps more than 5 minutes old or ahead are refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const old = await postEvent(url, mention('EvOld'), { ...signed, timestamp: now - 6 * 60 });
    const ahead = await postEvent(url, mention('EvAhead'), { ...signed, timestamp: now + 6 * 60 });
    expect(old.status).toBe(401);
    expect(((await old.json()) as { message: string }).message).toContain('old');
    expect(ahead.status).toBe(401);
    expect(((await ahead.json()) as { message: string }).message).toContain('ahead');
    expect(await db.store.inbox.get('slack:event:EvOld')).toBeNull();
    expect(await db.store.inbox.get('slack:event:EvAhead')).toBeNull();
  });

  test('an event delivered three times is stored once and processed once', async () => {
    const statuses: number[] = [];
    for (const retry of [undefined, '1', '2']) {
      const headers: Record<string, string> = retry
        ? { 'x-slack-retry-num': retry, 'x-slack-retry-reason': 'http_timeout' }
        : {};
      statuses.push((await postEvent(url, mention('EvTriple'), { ...signed, headers })).status);
    }
    expect(statuses).toEqual([200, 200, 200]);
    const entry = await until(async () => {
      const found = await db.store.inbox.get('slack:event:EvTriple');
      return found?.status === 'done' ? found : null;
    });
    expect(entry.attempts).toBe(1);
  });

  test("Slack's URL check is answered with its challenge; one without a challenge is refused", async () => {
    const check = await postEvent(url, { type: 'url_verification', challenge: 'ch4llenge' }, signed);
    expect(check.status).toBe(200);
    expect(await check.json()).toEqual({ challenge: 'ch4llenge' });
    const broken = await postEvent(url, { type: 'url_verification' }, signed);
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({
      error: 'malformed_payload',
      message: expect.stringContaining('url_verification payload at challenge') as unknown,
    });
    expect(await db.store.inbox.listUnfinished()).toEqual([]);
  });

  test('a malformed payload is refused with 400 and decides nothing', async () => {
    const { checkpoint } = await openWithCard('Malformed target');
    const broken = { ...press('approve', checkpoint, TO_A), actions: [] };
    const response = await postInteraction(url, broken, signed);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'malformed_payload' });
    expect((await postForm(url, 'payload=%7Bnot-json', signed)).status).toBe(400);
    expect((await db.store.checkpoints.get(checkpoint.id))?.status).toBe('pending');
    expect(await db.store.inbox.listUnfinished()).toEqual([]);
  });

  test('an open checkpoint posts exactly one card with Approve, Modify and Reject', async () => {
    const { checkpoint, post } = await openWithCard('Card check');
    const posts = fake
      .callsOf('chat.postMessage')
      .filter((call) => JSON.stringify(call.params.metadata ?? '').includes(checkpoint.id));
    expect(posts).toHaveLength(1);
    expect(post.params.channel).toBe(OPS);
    expect(post.params.unfurl_links).toBe('false');
    const blocks = post.params.blocks as Array<{ type: string; elements?: Array<{ action_id?: string }> }>;
    const actions = blocks.find((block) => block.type === 'actions');
    expect(actions?.elements?.map((element) => element.action_id)).toEqual([
      'checkpoint.approve',
      'checkpoint.modify',
      'checkpoint.reject',
    ]);
    const text = JSON.stringify(blocks);
    for (const part of ['Web shop', 'Build the API', 'apollo', '12.00 USD', '500.00 USD'])
      expect(text).toContain(part);
  });

  test('Approve by a TO decides, audits and updates the card without buttons', async () => {
    const { checkpoint, ts } = await openWithCard('Approve me');
    const response = await postInteraction(url, press('approve', checkpoint, TO_A, ts), signed);
    expect(response.status).toBe(200);
    const decided = await until(async () => {
      const found = await db.store.checkpoints.get(checkpoint.id);
      return found?.status === 'approved' ? found : null;
    });
    const operator = await db.store.identities.findByHandle({ surface: 'slack', externalId: TO_A });
    expect(decided.decision?.by).toBe(operator?.id);
    const update = await fake.waitFor((call) => call.method === 'chat.update' && call.params.ts === ts);
    expect(await audits(checkpoint.id, 'checkpoint.decided')).toHaveLength(1);
    const blocks = JSON.stringify(update.params.blocks);
    expect(blocks).not.toContain('"actions"');
    expect(blocks).toContain('Approved');
    expect(blocks).toContain(`<@${TO_A}>`);
  });

  test('20 concurrent presses from two TOs: exactly one decision wins, the card is updated once, 19 are told', async () => {
    const { checkpoint, ts } = await openWithCard('Race');
    const earlier = fake.callsOf('chat.postEphemeral').length;
    const metadata = JSON.stringify({
      checkpointId: checkpoint.id,
      channel: OPS,
      actionHash: checkpoint.request.actionHash,
    });
    const requests = Array.from({ length: 20 }, (_, n) => {
      const user = n % 2 === 0 ? TO_A : TO_B;
      return n % 2 === 0
        ? postInteraction(url, press('approve', checkpoint, user, ts), signed)
        : postInteraction(url, submission('reject', metadata, user, `no ${n}`), signed);
    });
    const statuses = (await Promise.all(requests)).map((response) => response.status);
    expect(statuses).toEqual(Array.from({ length: 20 }, () => 200));
    const decided = await until(async () => {
      const found = await db.store.checkpoints.get(checkpoint.id);
      return found?.status !== 'pending' ? found : null;
    });
    await fake.waitFor((call) => call.method === 'chat.update' && call.params.ts === ts);
    const notices = await until(() => {
      const found = fake
        .callsOf('chat.postEphemeral')
        .slice(earlier)
        .filter((call) => String(call.params.text).includes('already'))
        .filter((call) => String(call.params.text).includes(decided.status));
      return Promise.resolve(found.length >= 19 ? found : null);
    });
    expect(await audits(checkpoint.id, 'checkpoint.decided')).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(updatesOf(ts)).toHaveLength(1);
    expect(notices.length).toBe(19);
    // Nothing more arrives later: every losing press was told exactly once.
    const told = fake
      .callsOf('chat.postEphemeral')
      .slice(earlier)
      .filter((call) => String(call.params.text).includes('already'));
    expect(told.filter((call) => String(call.params.text).includes(decided.status))).toHaveLength(19);
    const label = decided.status === 'approved' ? 'Approved' : 'Rejected';
    expect(JSON.stringify(updatesOf(ts)[0]!.params.blocks)).toContain(label);
  });

  test('a press from someone who is not a TO is refused, audited and decides nothing', async () => {
    const { checkpoint, ts } = await openWithCard('Not yours');
    const before = fake.callsOf('chat.postEphemeral').length;
    expect((await postInteraction(url, press('approve', checkpoint, CLIENT, ts), signed)).status).toBe(200);
    const refusal = await fake.waitFor(
      (call) => call.method === 'chat.postEphemeral' && call.params.user === CLIENT,
    );
    expect(String(refusal.params.text)).toContain('Only Technical Operators');
    expect(fake.callsOf('chat.postEphemeral').length).toBeGreaterThan(before);
    await until(async () => (await audits(checkpoint.id, 'checkpoint.decision_refused')).length === 1);
    expect((await db.store.checkpoints.get(checkpoint.id))?.status).toBe('pending');
  });

  test('Reject opens a modal; its submission with a reason decides rejected with that reason', async () => {
    const { checkpoint, ts } = await openWithCard('Reject me');
    const action = press('reject', checkpoint, TO_B, ts);
    expect((await postInteraction(url, action, signed)).status).toBe(200);
    const opened = await fake.waitFor(
      (call) => call.method === 'views.open' && call.params.trigger_id === action.trigger_id,
    );
    const view = opened.params.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe('checkpoint.reject');
    expect((await db.store.checkpoints.get(checkpoint.id))?.status).toBe('pending');
    const response = await postInteraction(
      url,
      submission('reject', view.private_metadata, TO_B, 'Too expensive'),
      signed,
    );
    expect(response.status).toBe(200);
    const decided = await until(async () => {
      const found = await db.store.checkpoints.get(checkpoint.id);
      return found?.status === 'rejected' ? found : null;
    });
    expect(decided.decision?.reason).toBe('Too expensive');
    const update = await fake.waitFor((call) => call.method === 'chat.update' && call.params.ts === ts);
    expect(JSON.stringify(update.params.blocks)).toContain('Too expensive');
  });
  test('Modify opens a modal; its submission decides modified with the changes', async () => {
    const { checkpoint, ts } = await openWithCard('Modify me');
    const action = press('modify', checkpoint, TO_A, ts);
    expect((await postInteraction(url, action, signed)).status).toBe(200);
    const opened = await fake.waitFor(
      (call) => call.method === 'views.open' && call.params.trigger_id === action.trigger_id,
    );
    const view = opened.params.view as { callback_id: string; private_metadata: string };
    expect(view.callback_id).toBe('checkpoint.modify');
    const changes = 'Use the cheaper registrar';
    await postInteraction(url, submission('modify', view.private_metadata, TO_A, changes), signed);
    const decided = await until(async () => {
      const found = await db.store.checkpoints.get(checkpoint.id);
      return found?.status === 'modified' ? found : null;
    });
    expect(decided.decision?.changes).toBe(changes);
  });

  test('a press stored before a crash (acked, never processed) is processed when the surface starts', async () => {
    const { checkpoint, ts } = await openWithCard('Survives a crash');
    const body = press('approve', checkpoint, TO_B, ts);
    const action = body.actions[0]!;
    const key = `slack:action:T0001:${TO_B}:${action.action_ts}:${action.action_id}`;
    await db.store.inbox.record(key, 'slack', body);
    const restarted = wireSlackSurface({
      settings,
      store: db.store,
      jobs: scheduler,
      logger,
      app: express(),
    });
    await restarted.start();
    try {
      const decided = await until(async () => {
        const found = await db.store.checkpoints.get(checkpoint.id);
        return found?.status === 'approved' ? found : null;
      });
      expect(decided.decision?.by).toBe(
        (await db.store.identities.findByHandle({ surface: 'slack', externalId: TO_B }))?.id,
      );
      await until(async () => (await db.store.inbox.get(key))?.status === 'done');
    } finally {
      await restarted.stop();
    }
  });

  test('a card whose sync lease a crash left behind is posted once the lease lapses, within the job retries', async () => {
    const checkpoint = await db.store.checkpoints.open({
      projectId: project.id,
      kind: 'deploy',
      requestedBy: 'hephaestus',
      request: { title: 'Deploy v0', summary: 'A dry run.', details: {} },
    });
    // A sync that died (or lost its database) mid-way: its lease stays until it lapses.
    const left = await db.store.leases.acquire(
      `slack.card:${checkpoint.id}`,
      'dead-worker',
      CARD_SYNC_LEASE_MS,
    );
    expect(left).not.toBeNull();
    await scheduler.enqueue('checkpoint.card', { checkpointId: checkpoint.id });
    const card = await until(async () => (await db.store.checkpoints.get(checkpoint.id))?.cards[0], 45_000);
    const posts = fake
      .callsOf('chat.postMessage')
      .filter((call) =>
        JSON.stringify(call.params.metadata ?? '').includes(`slack.card:${checkpoint.id}:post`),
      );
    expect(posts).toHaveLength(1);
    expect(card.channel).toBe(OPS);
  }, 60_000);

  test('a card post whose outcome was unknown is found by its effect id, not posted again', async () => {
    const checkpoint = await db.store.checkpoints.open({
      projectId: project.id,
      kind: 'deploy',
      requestedBy: 'hephaestus',
      request: { title: 'Deploy v1', summary: 'First deploy.', details: {} },
    });
    const effectId = `slack.card:${checkpoint.id}:post`;
    await db.store.outbox.enqueue(effectId, 'slack.post', { channel: OPS, checkpointId: checkpoint.id });
    await db.store.outbox.begin(effectId);
    // The first attempt reached Slack, then the process died before recording it.
    const sent = new URLSearchParams({
      channel: OPS,
      text: 'card',
      metadata: JSON.stringify({ event_type: 'olympus_effect', event_payload: { effect_id: effectId } }),
    });
    const first = (await (
      await fetch(`${fake.apiUrl}chat.postMessage`, { method: 'POST', body: sent })
    ).json()) as {
      ts: string;
    };
    await scheduler.enqueue('checkpoint.card', { checkpointId: checkpoint.id });
    const card = await until(async () => (await db.store.checkpoints.get(checkpoint.id))?.cards[0]);
    expect(card.messageId).toBe(first.ts);
    expect(fake.callsOf('conversations.history').length).toBeGreaterThan(0);
    const posts = fake
      .callsOf('chat.postMessage')
      .filter((call) => JSON.stringify(call.params.metadata ?? '').includes(effectId));
    expect(posts).toHaveLength(1);
    expect((await db.store.outbox.get(effectId))?.status).toBe('done');
  });

  test('a client DM goes to Hermes and the reply is posted once, in its thread', async () => {
    const ts = '1700000200.000100';
    const dm = {
      ...mention('EvDirect'),
      event: {
        type: 'message',
        channel_type: 'im',
        channel: 'D0CLIENT',
        user: CLIENT,
        text: 'Hi, I need a web shop',
        ts,
        event_ts: ts,
      },
    };
    expect((await postEvent(url, dm, signed)).status).toBe(200);
    expect((await postEvent(url, dm, { ...signed, headers: { 'x-slack-retry-num': '1' } })).status).toBe(200);
    const reply = await fake.waitFor(
      (call) => call.method === 'chat.postMessage' && call.params.channel === 'D0CLIENT',
    );
    expect(reply.params.thread_ts).toBe(ts);
    expect(String(reply.params.text).length).toBeGreaterThan(0);
    const conversation = await db.store.conversations.findByThread('slack', 'D0CLIENT');
    expect(conversation?.messages.map((message) => message.from)).toEqual(['client', 'hermes']);
    await until(async () => (await db.store.inbox.get('slack:event:EvDirect'))?.status === 'done');
    expect(
      fake.callsOf('chat.postMessage').filter((call) => call.params.channel === 'D0CLIENT'),
    ).toHaveLength(1);
  });

  test('the app manifest declares the events, interactivity and /hermes on /slack/events', () => {
    const manifest = parseYaml(
      readFileSync(new URL('../../manifests/slack-app.yaml', import.meta.url), 'utf8'),
    );
    expect(manifest.settings.event_subscriptions.bot_events).toEqual(['app_mention', 'message.im']);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.interactivity.request_url).toMatch(/\/slack\/events$/);
    expect(manifest.features.slash_commands[0].command).toBe('/hermes');
    expect(manifest.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining(['chat:write', 'commands', 'im:history']),
    );
    expect(typeof manifest.settings.socket_mode_enabled).toBe('boolean');
  });
});
