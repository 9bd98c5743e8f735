/**
 * Fault: the process dies after a TO's decision is stored but before what follows it is enqueued:
 * between the decision and the card update, and between the decision and its effect (the
 * `checkpoint.decided` job, or `task.resume` when a parked task waits on the checkpoint). The press stays
 * unfinished in the inbox; after the restart it is replayed, finds the decision stored, and enqueues the
 * follow-ups again: one card update at Slack, one run of the decision's effect.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import pg from 'pg';
import { openCheckpoint } from '../../orchestration/checkpoints/open-checkpoint.js';
import { JOB_NAMES } from '../../ports/job-queue.js';
import { postInteraction } from '../support/slack-signing.js';
import { until } from '../support/until.js';
import { CrashingQueue } from './crashing-queue.js';
import { checkInvariants } from './invariants.js';
import {
  RIG_CANARY,
  RIG_SECRET,
  RIG_TO,
  approvePress,
  seedProject,
  startSlackRig,
  type SlackRig,
} from './slack-rig.js';

describe('reliability: crash between a checkpoint decision and what follows it', () => {
  let rig: SlackRig;
  let queue: CrashingQueue;
  let projectId: string;
  let taskId: string;
  let parkedProjectId: string;
  let parkedTaskId: string;

  beforeAll(async () => {
    rig = await startSlackRig({
      jobQueue: (scheduler) => (queue = new CrashingQueue(scheduler)),
    });
    ({ projectId, taskId } = await seedProject(rig.db.store, 'crash'));
    ({ projectId: parkedProjectId, taskId: parkedTaskId } = await seedProject(rig.db.store, 'crash-parked'));
    // A task parked on its checkpoints: their decisions go straight to `task.resume`.
    await rig.db.store.tasks.transition(parkedTaskId, ['pending'], 'waiting_checkpoint');
  }, 90_000);

  afterAll(async () => {
    await rig?.teardown();
  });

  async function jobRuns(name: string, checkpointId: string): Promise<number> {
    const client = new pg.Client({ connectionString: rig.db.connectionString });
    await client.connect();
    try {
      const result = await client.query(
        `SELECT count(*)::int AS n FROM agenda_jobs WHERE name = $1 AND data->>'checkpointId' = $2 AND last_finished_at IS NOT NULL`,
        [name, checkpointId],
      );
      return (result.rows[0] as { n: number }).n;
    } finally {
      await client.end();
    }
  }

  const cases = [
    { crashBefore: JOB_NAMES.checkpointCard, parked: false },
    { crashBefore: JOB_NAMES.checkpointDecided, parked: false },
    { crashBefore: JOB_NAMES.checkpointCard, parked: true },
    { crashBefore: JOB_NAMES.taskResume, parked: true },
  ];
  for (const { crashBefore, parked } of cases) {
    const waiting = parked ? ' (a parked task waits)' : '';
    test(`crash before enqueuing ${crashBefore}${waiting}: after the restart, one card update and one effect`, async () => {
      const store = rig.db.store;
      const effect = parked ? JOB_NAMES.taskResume : JOB_NAMES.checkpointDecided;
      const checkpoint = await openCheckpoint({
        store,
        jobs: rig.scheduler,
        checkpoint: {
          projectId: parked ? parkedProjectId : projectId,
          taskId: parked ? parkedTaskId : taskId,
          kind: 'deploy',
          requestedBy: 'hephaestus',
          request: {
            title: `Deploy (${crashBefore})`,
            summary: 'Ship it.',
            details: { env: 'prod', crashBefore, parked },
          },
        },
      });
      const card = await until(async () => (await store.checkpoints.get(checkpoint.id))?.cards[0] ?? null);
      const updatesOfCard = () =>
        rig.fake.callsOf('chat.update').filter((call) => call.params.ts === card.messageId);

      queue.crashBefore(crashBefore);
      const press = approvePress(checkpoint, card.messageId, RIG_TO);
      expect((await postInteraction(rig.url, press.payload, { secret: RIG_SECRET })).status).toBe(200);
      await until(async () => (await store.inbox.get(press.key))?.status === 'failed');
      expect((await store.checkpoints.get(checkpoint.id))?.status).toBe('approved');
      expect(queue.crashes).toContain(crashBefore);
      if (crashBefore === JOB_NAMES.checkpointCard) expect(updatesOfCard()).toHaveLength(0);

      // The restart: the surface starts again and replays what the crash left unfinished.
      await rig.surface.stop();
      queue.revive();
      await rig.surface.start();
      await until(async () => (await store.inbox.get(press.key))?.status === 'done');
      await until(
        async () => (await store.outbox.get(`slack.card:${checkpoint.id}:approved`))?.status === 'done',
      );
      await until(async () => (await jobRuns(effect, checkpoint.id)) >= 1);
      await new Promise((resolve) => setTimeout(resolve, 1500));

      expect(updatesOfCard()).toHaveLength(1);
      expect(await jobRuns(effect, checkpoint.id)).toBe(1);
      // A parked task's decision takes one hop: no `checkpoint.decided` job runs for it.
      if (parked) expect(await jobRuns(JOB_NAMES.checkpointDecided, checkpoint.id)).toBe(0);
      const decided = (await store.audit.list({ subjectId: checkpoint.id })).filter(
        (event) => event.action === 'checkpoint.decided',
      );
      expect(decided).toHaveLength(1);
      await checkInvariants({
        scenario: `crash before ${crashBefore}${waiting}`,
        store,
        connectionString: rig.db.connectionString,
        inputs: [press.key],
        effects: [
          { effectId: `slack.card:${checkpoint.id}:approved`, atPeer: updatesOfCard().length },
          { effectId: `${effect}:${checkpoint.id}`, atPeer: await jobRuns(effect, checkpoint.id) },
        ],
        canaries: [RIG_CANARY, RIG_SECRET],
        logs: rig.logs,
      });
    }, 120_000);
  }
});
