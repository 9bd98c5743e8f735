/**
 * `/hermes status [project]` and `/hermes pending` as signed slash commands into the real receiver,
 * answered ephemerally in the response; and TOs from a Slack user group (SLACK_TO_USERGROUP), read with
 * `usergroups.users.list` from the fake Web API and cached for a short time.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createSilentLogger } from '../../common/logging/logger.js';
import { openCheckpoint } from '../../orchestration/checkpoints/open-checkpoint.js';
import type { Checkpoint, Project } from '../../ports/store.js';
import { postForm, postInteraction } from '../support/slack-signing.js';
import {
  SLACK_TEST_OPS,
  SLACK_TEST_SECRET,
  startSlackHarness,
  type SlackHarness,
} from '../support/slack-harness.js';
import { until } from '../support/until.js';

const logger = createSilentLogger();
const [TO, MEMBER, CLIENT, OTHER] = ['U0TOA', 'U0GROUP', 'U0CLIENT', 'U0OTHER'];
const GROUP = 'S0TOS';
const TTL_MS = 400;
const signed = { secret: SLACK_TEST_SECRET };
let sequence = 0;

async function command(url: string, user: string, text: string, secret = SLACK_TEST_SECRET) {
  sequence += 1;
  const body = new URLSearchParams({
    command: '/hermes',
    text,
    team_id: 'T0001',
    team_domain: 'olympus-ops',
    user_id: user,
    user_name: user,
    channel_id: 'C0ANY',
    trigger_id: `trigger-command-${sequence}`,
    response_url: 'https://hooks.slack.com/commands/T0001/1/x',
  }).toString();
  return postForm(url, body, { secret });
}

async function reply(
  url: string,
  user: string,
  text: string,
): Promise<{ response_type: string; text: string }> {
  const response = await command(url, user, text);
  expect(response.status).toBe(200);
  return (await response.json()) as { response_type: string; text: string };
}

describe('/hermes and user-group TOs', () => {
  let harness: SlackHarness;
  let shop: Project;
  let checkpoint: Checkpoint;

  beforeAll(async () => {
    harness = await startSlackHarness({
      toUsers: [TO],
      logger,
      settings: { toUsergroup: GROUP, usergroupTtlMs: TTL_MS },
    });
    harness.fake.setUsergroup(GROUP, [MEMBER]);
    const store = harness.db.store;
    const client = await store.identities.create({
      displayName: 'Client',
      handles: [{ surface: 'slack', externalId: CLIENT }],
    });
    const other = await store.identities.create({
      displayName: 'Other',
      handles: [{ surface: 'slack', externalId: OTHER }],
    });
    ({ project: shop } = await store.projects.create({
      key: 'shop',
      title: 'Web shop',
      ownerId: client.id,
      budget: { amount: 500, currency: 'USD' },
      brief: {},
      createdBy: client.id,
      status: 'active',
    }));
    await store.projects.create({
      key: 'secret-plan',
      title: 'Other plan',
      ownerId: other.id,
      brief: {},
      createdBy: other.id,
    });
    await store.tasks.createMany(shop.id, [
      { key: 'api', role: 'apollo', title: 'Build the API', spec: 'REST', status: 'done' },
      { key: 'ui', role: 'aphrodite', title: 'Build the storefront', spec: 'UI', status: 'running' },
    ]);
    checkpoint = await openCheckpoint({
      store,
      jobs: harness.scheduler,
      checkpoint: {
        projectId: shop.id,
        kind: 'spend',
        requestedBy: 'apollo',
        request: {
          title: 'Buy a domain',
          summary: 'A domain.',
          details: { spend: { amount: 12, currency: 'USD' } },
        },
      },
    });
    await until(async () => (await store.checkpoints.get(checkpoint.id))?.cards[0]);
  });

  afterAll(async () => {
    await harness?.teardown();
  });

  test('a forged slash command is refused with 401', async () => {
    const response = await command(harness.url, TO, 'pending', 'wrong-secret');
    expect(response.status).toBe(401);
  });

  test('a client sees their own project status, never another client’s project', async () => {
    const mine = await reply(harness.url, CLIENT, 'status');
    expect(mine.response_type).toBe('ephemeral');
    expect(mine.text).toContain('Web shop');
    expect(mine.text).toContain('1 done');
    expect(mine.text).toContain('Build the storefront (aphrodite): running');
    expect(mine.text).toContain('Waiting on a Technical Operator: 1');
    expect(mine.text).toContain('Spend: 0.00 USD of 500.00 USD');
    expect(mine.text).not.toContain('Other plan');
    const named = await reply(harness.url, CLIENT, 'status shop');
    expect(named.text).toContain('Web shop');
    const theirs = await reply(harness.url, CLIENT, 'status secret-plan');
    expect(theirs.text).toContain('No project of yours is called secret-plan');
    expect(theirs.text).not.toContain('Other plan');
  });

  test('a TO sees any project’s status and the pending checkpoints with links to their cards', async () => {
    const status = await reply(harness.url, TO, 'status secret-plan');
    expect(status.text).toContain('Other plan');
    const pending = await reply(harness.url, TO, 'pending');
    const card = (await harness.db.store.checkpoints.get(checkpoint.id))!.cards[0]!;
    expect(pending.text).toContain('Pending checkpoints (1)');
    expect(pending.text).toContain(
      `<https://olympus-ops.slack.com/archives/${SLACK_TEST_OPS}/p${card.messageId.replace('.', '')}|Buy a domain>`,
    );
    expect(pending.text).toContain('`shop`');
  });

  test('a client may not list pending checkpoints; an unknown command gets the usage', async () => {
    expect((await reply(harness.url, CLIENT, 'pending')).text).toContain('Only Technical Operators');
    expect((await reply(harness.url, CLIENT, 'dance')).text).toContain('Usage');
  });

  test('members of the TO user group are TOs while they are members (cached briefly)', async () => {
    const { fake } = harness;
    const lookups = () => fake.callsOf('usergroups.users.list').length;
    const before = lookups();
    for (let round = 0; round < 5; round += 1) {
      expect((await reply(harness.url, MEMBER, 'pending')).text).toContain('Pending checkpoints');
    }
    // Five commands, fewer lookups: the members are cached.
    expect(lookups()).toBeGreaterThanOrEqual(1);
    expect(lookups() - before).toBeLessThan(5);
    expect(fake.callsOf('usergroups.users.list').at(-1)!.params.usergroup).toBe(GROUP);

    // A group member's press decides, in their own name.
    const press = {
      type: 'block_actions',
      team: { id: 'T0001' },
      user: { id: MEMBER },
      trigger_id: 'trigger-group',
      channel: { id: SLACK_TEST_OPS },
      actions: [
        {
          action_id: 'checkpoint.approve',
          action_ts: '1700000500.1',
          value: `${checkpoint.id}:${checkpoint.request.actionHash}`,
        },
      ],
    };
    expect((await postInteraction(harness.url, press, signed)).status).toBe(200);
    const decided = await until(async () => {
      const current = await harness.db.store.checkpoints.get(checkpoint.id);
      return current?.status === 'approved' ? current : null;
    });
    const member = await harness.db.store.identities.findByHandle({ surface: 'slack', externalId: MEMBER });
    expect(decided.decision?.by).toBe(member?.id);
    // The stored role is unchanged: the right comes from the group.
    expect(member?.role).toBe('client');

    // Removed from the group: once the cache expires, no longer a TO.
    fake.setUsergroup(GROUP, []);
    const refused = await until(async () => {
      const answer = await reply(harness.url, MEMBER, 'pending');
      return answer.text.includes('Only Technical Operators') ? answer : null;
    }, 10_000);
    expect(refused.response_type).toBe('ephemeral');
  });
});
