/**
 * Reminders, escalation and expiry of a waiting checkpoint, as the real `checkpoint.remind` Agenda job
 * runs them with short test intervals: a threaded reminder under the card, then a mention of the
 * escalation user group, then expiry through the decision handler (card updated, task told) — in that
 * order, each once, also when several sweeps race.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { loadConfig } from '../../bot/config/load-config.js';
import { parseDuration } from '../../bot/slack/duration.js';
import { hasCode } from '../../common/errors.js';
import { dueSteps, escalationMention } from '../../bot/slack/checkpoint-reminders.js';
import { wireSlackReminders } from '../../bot/wiring/slack.js';
import { createSilentLogger } from '../../common/logging/logger.js';
import { openCheckpoint } from '../../orchestration/checkpoints/open-checkpoint.js';
import type { Checkpoint, Project } from '../../ports/store.js';
import type { RecordedCall } from '../support/fake-slack-api.js';
import { postInteraction } from '../support/slack-signing.js';
import {
  SLACK_TEST_OPS,
  SLACK_TEST_SECRET,
  startSlackHarness,
  type SlackHarness,
} from '../support/slack-harness.js';
import { until } from '../support/until.js';

const logger = createSilentLogger();
const TO = 'U0TOA';
const TIMES = { remindAfterMs: 1500, escalateAfterMs: 3000, expireAfterMs: 4500 };

describe('checkpoint reminders, escalation and expiry', () => {
  let harness: SlackHarness;
  let project: Project;

  beforeAll(async () => {
    harness = await startSlackHarness({
      toUsers: [TO],
      logger,
      settings: { reminders: TIMES, escalationGroup: 'S0ESCALATE', postIntervalMs: 10 },
      remindEvery: '1 second',
    });
    const store = harness.db.store;
    const owner = await store.identities.create({ displayName: 'Client' });
    ({ project } = await store.projects.create({
      key: 'waiting',
      title: 'Waiting project',
      ownerId: owner.id,
      brief: {},
      createdBy: owner.id,
    }));
  });

  afterAll(async () => {
    await harness?.teardown();
  });

  async function open(title: string): Promise<Checkpoint> {
    return openCheckpoint({
      store: harness.db.store,
      jobs: harness.scheduler,
      checkpoint: {
        projectId: project.id,
        kind: 'deploy',
        requestedBy: 'hephaestus',
        request: { title, summary: 'Deploy to production.', details: { environment: 'production' } },
      },
    });
  }

  const effectOf = (call: RecordedCall): string =>
    String(
      (call.params.metadata as { event_payload?: { effect_id?: unknown } } | undefined)?.event_payload
        ?.effect_id,
    );

  test('the waits and groups come from the configuration; a bad value is named', () => {
    const cwd = mkdtempSync(path.join(tmpdir(), 'olympus-slack-config-'));
    const base = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret' };
    const defaults = loadConfig({ env: base, cwd }).slack!;
    expect(defaults.reminders).toEqual({
      remindAfterMs: 4 * 3_600_000,
      escalateAfterMs: 24 * 3_600_000,
      expireAfterMs: 72 * 3_600_000,
    });
    const set = loadConfig({
      env: {
        ...base,
        OLYMPUS_CHECKPOINT_REMIND_AFTER: '30 minutes',
        OLYMPUS_CHECKPOINT_ESCALATE_AFTER: '2 hours',
        OLYMPUS_CHECKPOINT_EXPIRE_AFTER: '1 day',
        SLACK_TO_USERGROUP: 'S0TOS',
        SLACK_ESCALATION_GROUP: 'S0ESC',
        SLACK_CLIENTS_CHANNEL: 'C0CLIENTS',
      },
      cwd,
    }).slack!;
    expect(set).toMatchObject({
      reminders: { remindAfterMs: 1_800_000, escalateAfterMs: 7_200_000, expireAfterMs: 86_400_000 },
      toUsergroup: 'S0TOS',
      escalationGroup: 'S0ESC',
      clientsChannel: 'C0CLIENTS',
    });
    let failure: unknown = null;
    try {
      loadConfig({
        env: { ...base, OLYMPUS_CHECKPOINT_REMIND_AFTER: 'soon', SLACK_TO_USERGROUP: 'U123' },
        cwd,
      });
    } catch (error) {
      failure = error;
    }
    expect(hasCode(failure, 'CONFIG_INVALID')).toBe(true);
    expect(String((failure as Error).message)).toContain('OLYMPUS_CHECKPOINT_REMIND_AFTER');
    expect(String((failure as Error).message)).toContain('SLACK_TO_USERGROUP');
    expect(parseDuration('500 ms')).toBe(500);
    expect(parseDuration('90 seconds')).toBe(90_000);
    expect(parseDuration('0 hours')).toBeNull();
  });

  test('which steps are due, by age and by the checkpoint’s own expiry time', () => {
    const createdAt = new Date('2026-01-01T00:00:00Z');
    const base = { createdAt, expiresAt: null } as Checkpoint;
    const at = (ms: number) => new Date(createdAt.getTime() + ms);
    expect(dueSteps(base, TIMES, at(1000))).toBe(0);
    expect(dueSteps(base, TIMES, at(1500))).toBe(1);
    expect(dueSteps(base, TIMES, at(3200))).toBe(2);
    expect(dueSteps(base, TIMES, at(4500))).toBe(3);
    expect(dueSteps({ ...base, expiresAt: at(2000) }, TIMES, at(2100))).toBe(3);
  });

  test('an escalation calls the escalation group, else the TO group, else the TOs', () => {
    const settings = { ...harness.settings, toUsers: ['U1', 'U2'] };
    expect(escalationMention({ ...settings, escalationGroup: 'S1', toUsergroup: 'S2' })).toBe(
      '<!subteam^S1> ',
    );
    expect(escalationMention({ ...settings, escalationGroup: null, toUsergroup: 'S2' })).toBe(
      '<!subteam^S2> ',
    );
    expect(escalationMention({ ...settings, escalationGroup: null, toUsergroup: null })).toBe('<@U1> <@U2> ');
  });

  test('reminder, then escalation, then expiry: in order, each once', async () => {
    const { fake, db } = harness;
    const checkpoint = await open('Deploy v1');
    const cardPost = await fake.waitFor(
      (call) => call.method === 'chat.postMessage' && effectOf(call) === `slack.card:${checkpoint.id}:post`,
    );
    const cardTs = await until(
      async () => (await db.store.checkpoints.get(checkpoint.id))?.cards[0]?.messageId,
    );

    const expired = await until(async () => {
      const current = await db.store.checkpoints.get(checkpoint.id);
      return current?.status === 'expired' ? current : null;
    }, 60_000);
    const expiredCard = await fake.waitFor(
      (call) =>
        call.method === 'chat.update' &&
        call.params.ts === cardTs &&
        JSON.stringify(call.params.blocks).includes('Expired'),
    );

    const stepPosts = (step: number) =>
      fake
        .callsOf('chat.postMessage')
        .filter((call) => effectOf(call) === `slack.reminder:${checkpoint.id}:${step}`);
    const [reminder] = stepPosts(1);
    const [escalation] = stepPosts(2);
    expect(stepPosts(1)).toHaveLength(1);
    expect(stepPosts(2)).toHaveLength(1);
    expect(reminder!.params).toMatchObject({ channel: SLACK_TEST_OPS, thread_ts: cardTs });
    expect(String(reminder!.params.text)).toContain('Reminder');
    expect(escalation!.params).toMatchObject({ channel: SLACK_TEST_OPS, thread_ts: cardTs });
    expect(String(escalation!.params.text)).toContain('<!subteam^S0ESCALATE>');
    const order = [cardPost, reminder!, escalation!, expiredCard].map((call) => fake.calls.indexOf(call));
    expect(order).toEqual([...order].sort((a, b) => a - b));

    expect(expired.remindersSent).toBe(3);
    expect(expired.decision).toMatchObject({
      outcome: 'expired',
      reason: expect.stringContaining('no decision'),
    });
    const decided = (await db.store.audit.list({ subjectId: checkpoint.id })).filter(
      (event) => event.action === 'checkpoint.decided',
    );
    expect(decided).toHaveLength(1);
    expect(decided[0]!.data).toMatchObject({ outcome: 'expired', system: true });
    // The waiting work is told through the same job every decision enqueues.
    const overview = await harness.scheduler.queue();
    expect(overview.find((entry) => entry.name === 'checkpoint.decided')?.total ?? 0).toBeGreaterThanOrEqual(
      1,
    );

    // Later sweeps, even with every step long due, add nothing: each step happened once.
    const later = wireSlackReminders({
      settings: harness.settings,
      times: TIMES,
      store: db.store,
      jobs: harness.scheduler,
      logger,
      clock: { now: () => new Date(Date.now() + 24 * 3600_000) },
    });
    expect(await later.sweep()).toBe(0);
    expect(stepPosts(1)).toHaveLength(1);
    expect(stepPosts(2)).toHaveLength(1);
    expect((await db.store.checkpoints.get(checkpoint.id))?.remindersSent).toBe(3);

    // A TO pressing the expired card is told it expired; nothing changes.
    const press = {
      type: 'block_actions',
      team: { id: 'T0001' },
      user: { id: TO },
      trigger_id: 'trigger-expired',
      channel: { id: SLACK_TEST_OPS },
      actions: [
        {
          action_id: 'checkpoint.approve',
          action_ts: '1700000999.1',
          value: `${checkpoint.id}:${checkpoint.request.actionHash}`,
        },
      ],
    };
    expect((await postInteraction(harness.url, press, { secret: SLACK_TEST_SECRET })).status).toBe(200);
    const notice = await fake.waitFor(
      (call) => call.method === 'chat.postEphemeral' && String(call.params.text).includes('expired'),
    );
    expect(notice.params.user).toBe(TO);
    expect((await db.store.checkpoints.get(checkpoint.id))?.status).toBe('expired');
  }, 90_000);

  test('five racing sweeps with every step due at once take each step once, in order', async () => {
    const { fake, db } = harness;
    const checkpoint = await open('Deploy v2');
    await until(async () => (await db.store.checkpoints.get(checkpoint.id))?.cards[0]);
    const late = () => new Date(Date.now() + 10 * 24 * 3600_000);
    const sweeper = () =>
      wireSlackReminders({
        settings: harness.settings,
        times: { remindAfterMs: 3_600_000, escalateAfterMs: 7_200_000, expireAfterMs: 86_400_000 },
        store: db.store,
        jobs: harness.scheduler,
        logger,
        clock: { now: late },
      });
    const results = await Promise.all(Array.from({ length: 5 }, () => sweeper().sweep()));
    // Other sweeps may have found the lease taken; at least one took the steps, and none twice.
    await until(async () => (await db.store.checkpoints.get(checkpoint.id))?.status === 'expired');
    await Promise.all(Array.from({ length: 3 }, () => sweeper().sweep()));
    expect(results.reduce((sum, count) => sum + count, 0)).toBeLessThanOrEqual(3);
    const steps = fake
      .callsOf('chat.postMessage')
      .map(effectOf)
      .filter((effect) => effect.startsWith(`slack.reminder:${checkpoint.id}:`));
    expect(steps).toEqual([`slack.reminder:${checkpoint.id}:1`, `slack.reminder:${checkpoint.id}:2`]);
    const current = await db.store.checkpoints.get(checkpoint.id);
    expect(current?.remindersSent).toBe(3);
    const decided = (await db.store.audit.list({ subjectId: checkpoint.id })).filter(
      (event) => event.action === 'checkpoint.decided',
    );
    expect(decided).toHaveLength(1);
  }, 60_000);
});
