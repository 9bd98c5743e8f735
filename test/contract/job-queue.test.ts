/**
 * The job-queue contract (job-queue-contract.ts) against every adapter this machine can run: Agenda on
 * an embedded PostgreSQL always, Agenda on MongoDB when `MONGODB_URI` names a server (without it that
 * run is reported as a named skipped test and on stderr, never as a silent pass). Each queue opens its
 * own store on the same database, as another process would. The run prints which adapters it covered.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, test } from '@jest/globals';
import type { Db } from 'mongodb';
import { MongoClient } from 'mongodb';
import type { Pool } from 'pg';
import { createSilentLogger } from '../../common/logging/logger.js';
import type { Store } from '../../ports/store.js';
import { AgendaJobQueue } from '../../storage/agenda/agenda-job-queue.js';
import { createMongoStore } from '../../storage/mongo/mongo-store.js';
import { startEmbeddedStore } from '../support/embedded-store.js';
import {
  jobQueueCases,
  type JobQueueFactory,
  type JobQueueRig,
  type QueueOptions,
  type QueueUnderTest,
} from './job-queue-contract.js';

const logger = createSilentLogger();

/** Queues on stores that `storeOf` opens; `close()` stops every queue before the stores close. */
function agendaRig(
  storeOf: () => Store,
  storedJobs: (name: string) => Promise<number>,
  closeStores: () => Promise<void>,
): JobQueueRig {
  const queues: AgendaJobQueue[] = [];
  return {
    open(options: QueueOptions): QueueUnderTest {
      const { jobs, work, name, processEvery, lockLifetimeMs, shutdownTimeoutMs } = options;
      const queue = new AgendaJobQueue({
        connection: storeOf().connection(),
        logger,
        settings: { processEvery, maxConcurrency: 10, lockLimit: 10, lockLifetimeMs },
        shutdownTimeoutMs,
        jobs,
        work,
        name,
      });
      queues.push(queue);
      return queue;
    },
    storedJobs,
    async close() {
      for (const queue of queues) await queue.stop();
      await closeStores();
    },
  };
}

const postgres: JobQueueFactory = {
  name: 'Agenda on PostgreSQL (embedded)',
  notifies: true,
  async make() {
    const db = await startEmbeddedStore();
    const connection = db.store.connection();
    if (connection.backend !== 'postgres') throw new Error('expected a PostgreSQL store');
    const pool = connection.pool as Pool;
    return agendaRig(
      () => db.openAnother(),
      async (name) => {
        const result = await pool.query<{ count: string }>(
          `SELECT count(*) AS count FROM "${connection.jobsTable}" WHERE name = $1`,
          [name],
        );
        return Number(result.rows[0]?.count ?? 0);
      },
      () => db.teardown(),
    );
  },
};

function mongo(uri: string): JobQueueFactory {
  return {
    name: 'Agenda on MongoDB',
    notifies: false,
    async make() {
      const dbName = `olympus_test_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
      const stores: Store[] = [];
      const open = () => {
        const store = createMongoStore({ uri, dbName });
        stores.push(store);
        return store;
      };
      const first = open();
      await first.init();
      const connection = first.connection();
      if (connection.backend !== 'mongo') throw new Error('expected a MongoDB store');
      const db = connection.db as Db;
      return agendaRig(
        open,
        (name) => db.collection(connection.jobsCollection).countDocuments({ name }),
        async () => {
          for (const store of stores) await store.close();
          const client = new MongoClient(uri, { serverSelectionTimeoutMS: 5000 });
          try {
            await client.db(dbName).dropDatabase();
          } finally {
            await client.close();
          }
        },
      );
    },
  };
}

const uri = process.env.MONGODB_URI;
const factories: JobQueueFactory[] = [postgres, ...(uri ? [mongo(uri)] : [])];
const skipped = uri ? [] : ['Agenda on MongoDB (MONGODB_URI is not set: no MongoDB server on this machine)'];

for (const factory of factories) jobQueueCases(factory);

for (const reason of skipped) {
  process.stderr.write(`job-queue contract skipped: ${reason}\n`);
  test.skip(`job queue contract: ${reason}`, () => undefined);
}

afterAll(() => {
  const ran = factories.map((factory) => factory.name).join(', ');
  const notRun = skipped.length > 0 ? `; skipped: ${skipped.join(', ')}` : '';
  process.stdout.write(`[contract] job queues: ${ran}${notRun}\n`);
});
