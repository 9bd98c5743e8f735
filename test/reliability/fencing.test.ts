/**
 * Fault: a job outlives its lock while a second worker runs. Worker A claims a task, then loses its
 * database link (a partition: its heartbeats and its Agenda lock renewals stall); worker B takes the job
 * over once the lock expires, claims the task with a newer fence and commits. When A's link heals, its
 * commit with the old fence is refused: exactly one attempt commits.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { z } from 'zod';
import { defineJob, type JobDefinition } from '../../orchestration/jobs/job-definition.js';
import { createJobQueue } from '../../bot/wiring/job-queue.js';
import type { Store, Task } from '../../ports/store.js';
import { createPostgresStore } from '../../storage/postgres/postgres-store.js';
import { startEmbeddedStore, type EmbeddedStore } from '../support/embedded-store.js';
import { until } from '../support/until.js';
import { capturingLogger, checkInvariants } from './invariants.js';
import { startFreezableProxy, type FreezableProxy } from './tcp-proxy.js';

const LOCK_MS = 2000;
const CANARY = 'canary-fencing-3b9d7e21';

interface Attempt {
  worker: string;
  fence: number;
  committed: boolean | null;
}

describe('reliability: fencing', () => {
  let db: EmbeddedStore;
  let proxy: FreezableProxy;
  let storeA: Store;
  let storeB: Store;
  const { logger, lines } = capturingLogger([CANARY]);

  beforeAll(async () => {
    db = await startEmbeddedStore();
    proxy = await startFreezableProxy(Number(new URL(db.connectionString).port));
    const viaProxy = new URL(db.connectionString);
    viaProxy.port = String(proxy.port);
    storeA = createPostgresStore({ connectionString: viaProxy.toString() });
    storeB = db.openAnother();
  }, 90_000);

  afterAll(async () => {
    proxy?.thaw();
    await storeA?.close();
    await proxy?.close();
    await db?.teardown();
  });

  test('a stalled attempt past its lock cannot commit after a newer one did', async () => {
    const attempts: Attempt[] = [];
    let claimedByA: () => void = () => undefined;
    const aClaimed = new Promise<void>((resolve) => (claimedByA = resolve));
    let releaseA: () => void = () => undefined;
    const aMayCommit = new Promise<void>((resolve) => (releaseA = resolve));

    const catalogue = (worker: string, store: Store): JobDefinition[] => [
      defineJob({
        name: 'task.run.apollo',
        description: 'claims the task with a fence, works, commits with the same fence',
        schema: z.object({ taskId: z.uuid() }).strict(),
        // As the real task.run jobs: the task claim is the fence, no job lease.
        fencing: 'handler',
        maxRetries: 0,
        lockLifetimeMs: LOCK_MS,
        async handler(payload) {
          const claim = await store.tasks.claim(payload.taskId, worker, LOCK_MS);
          if (claim === null) return;
          const attempt: Attempt = { worker, fence: claim.fence, committed: null };
          attempts.push(attempt);
          if (worker === 'A') {
            claimedByA();
            await aMayCommit;
          }
          const finished = await store.tasks.finish(payload.taskId, claim.fence, {
            status: 'done',
            artifacts: [{ kind: 'note', ref: `by ${worker}` }],
          });
          attempt.committed = finished !== null;
        },
      }),
    ];
    const scheduler = (worker: string, store: Store) =>
      createJobQueue({
        store,
        logger: logger.child({ worker }),
        settings: { processEvery: '1 second', maxConcurrency: 5, lockLimit: 5, lockLifetimeMs: LOCK_MS },
        shutdownTimeoutMs: 1000,
        catalogue: catalogue(worker, store),
        work: true,
        name: `worker-${worker}`,
      });

    const owner = await db.store.identities.create({ displayName: 'Client' });
    const { project } = await db.store.projects.create({
      key: 'fencing',
      title: 'Fencing',
      ownerId: owner.id,
      brief: {},
      createdBy: owner.id,
      status: 'active',
    });
    const [task] = (await db.store.tasks.createMany(project.id, [
      { key: 'api', role: 'apollo', title: 'API', spec: 'REST', status: 'ready' },
    ])) as [Task];

    const workerA = scheduler('A', storeA);
    await workerA.start();
    await workerA.enqueue('task.run.apollo', { taskId: task.id });
    await aClaimed;
    proxy.freeze();

    const workerB = scheduler('B', storeB);
    await workerB.start();
    await until(
      () => Promise.resolve(attempts.find((attempt) => attempt.worker === 'B')?.committed != null),
      60_000,
    );

    proxy.thaw();
    releaseA();
    await until(
      () => Promise.resolve(attempts.find((attempt) => attempt.worker === 'A')?.committed != null),
      60_000,
    );
    await workerB.stop();
    await workerA.stop();

    expect(attempts.map(({ worker, committed }) => ({ worker, committed }))).toEqual([
      { worker: 'A', committed: false },
      { worker: 'B', committed: true },
    ]);
    expect(attempts[1]!.fence).toBeGreaterThan(attempts[0]!.fence);
    const stored = await db.store.tasks.get(task.id);
    expect(stored).toMatchObject({ status: 'done', attempts: 2 });
    expect(stored?.artifacts.map((artifact) => artifact.ref)).toEqual(['by B']);
    await checkInvariants({
      scenario: 'job outlives its lock (fencing)',
      store: db.store,
      connectionString: db.connectionString,
      inputs: [],
      effects: [
        {
          effectId: `task:${task.id}:commit`,
          atPeer: attempts.filter((attempt) => attempt.committed).length,
        },
      ],
      canaries: [CANARY],
      logs: lines,
    });
  });
});
