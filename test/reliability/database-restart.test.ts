/**
 * Fault: the database stops and starts again while clients are writing. Messages keep arriving through
 * the intake (the caller retries a failed send with the same key, as `olympus chat` and the surfaces do),
 * and checkpoints keep opening (their cards are jobs). Once the database is back, every message is in
 * its conversation exactly once with one answer, and every card is at Slack exactly once.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { GuidedIntakeBrain } from '../../agents/hermes/guided-intake.js';
import { openCheckpoint } from '../../orchestration/checkpoints/open-checkpoint.js';
import { ClientMessageHandler } from '../../handlers/intake/handle-client-message.js';
import { until } from '../support/until.js';
import { checkInvariants, slackPostsOf } from './invariants.js';
import { startRestartableStore, type RestartableStore } from './restartable-postgres.js';
import { RIG_CANARY, RIG_SECRET, seedProject, startSlackRig, type SlackRig } from './slack-rig.js';

const MESSAGES = 60;
const CHECKPOINTS = 6;

async function retrying<T>(attempt: () => Promise<T>, tries: number[]): Promise<T> {
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      tries.push(1);
      if (tries.length > 2000) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

describe('reliability: database restart under load', () => {
  let db: RestartableStore;
  let rig: SlackRig;

  beforeAll(async () => {
    db = await startRestartableStore();
    rig = await startSlackRig({ db });
  }, 120_000);

  afterAll(async () => {
    await rig?.teardown();
  });

  test('nothing is lost or doubled once the database is back', async () => {
    const store = db.store;
    const { projectId, taskId } = await seedProject(store, 'restart');
    const intake = new ClientMessageHandler({
      store,
      brain: new GuidedIntakeBrain(),
      logger: rig.logger,
      redrive: { reclaimAfterMs: 2000 },
    });
    const failures: number[] = [];
    const keys: string[] = [];
    const checkpointIds: string[] = [];
    let sent = 0;
    const client = async (n: number) => {
      while (sent < MESSAGES) {
        const i = (sent += 1);
        const key = `console:restart:${i}`;
        keys.push(key);
        await retrying(
          () =>
            intake.dispatch({
              key,
              surface: 'console',
              handle: { surface: 'console', externalId: `client-${n}` },
              displayName: `client ${n}`,
              threadKey: `console:restart:${n}`,
              text: `message ${i} from client ${n}`,
            }),
          failures,
        );
        if (i % (MESSAGES / CHECKPOINTS) === 0) {
          const checkpoint = await retrying(
            () =>
              openCheckpoint({
                store,
                jobs: rig.scheduler,
                checkpoint: {
                  projectId,
                  taskId,
                  kind: 'spend',
                  requestedBy: 'apollo',
                  request: { title: `Purchase ${i}`, summary: 'A purchase.', details: { n: i } },
                },
              }),
            failures,
          );
          checkpointIds.push(checkpoint.id);
        }
        await new Promise((resolve) => setTimeout(resolve, 30));
      }
    };
    const load = Promise.all([1, 2, 3, 4].map(client));
    await until(() => Promise.resolve(sent >= MESSAGES / 4));
    await db.stopServer();
    await new Promise((resolve) => setTimeout(resolve, 1500));
    await db.startServer();
    const restarted = Date.now();
    await load;
    const phase = (name: string) =>
      process.stdout.write(
        `[reliability] database restart: ${name} ${Date.now() - restarted} ms after the restart\n`,
      );
    phase('load done');

    await until(
      async () => {
        const entries = await Promise.all(keys.map((key) => store.inbox.get(key)));
        return entries.every((entry) => entry?.status === 'done');
      },
      90_000,
      200,
    );
    phase('every message done');
    for (const id of checkpointIds) {
      await until(async () => (await store.outbox.get(`slack.card:${id}:post`))?.status === 'done', 90_000);
    }
    phase('every card posted');
    expect(failures.length).toBeGreaterThan(0);
    for (const n of [1, 2, 3, 4]) {
      const conversation = await store.conversations.findByThread('console', `console:restart:${n}`);
      const texts = conversation!.messages.filter((m) => m.from === 'client').map((m) => m.text);
      expect(new Set(texts).size).toBe(texts.length);
    }
    const allTexts = (
      await Promise.all(
        [1, 2, 3, 4].map((n) => store.conversations.findByThread('console', `console:restart:${n}`)),
      )
    ).flatMap((conversation) => conversation!.messages.filter((m) => m.from === 'client'));
    expect(allTexts).toHaveLength(MESSAGES);
    process.stdout.write(
      `[reliability] database restart: ${failures.length} failed calls retried by the callers\n`,
    );
    await checkInvariants({
      scenario: 'database stopped and restarted under load',
      store,
      connectionString: db.connectionString,
      inputs: keys,
      effects: checkpointIds.map((id) => {
        const effectId = `slack.card:${id}:post`;
        return { effectId, atPeer: slackPostsOf(rig.fake, effectId) };
      }),
      canaries: [RIG_CANARY, RIG_SECRET],
      logs: rig.logs,
    });
  }, 240_000);
});
