/**
 * The storage contract suite against MongoDB, when `MONGODB_URI` names a server. Each harness gets its
 * own throwaway database, dropped in teardown. Without `MONGODB_URI` the suite cannot run here: that is
 * reported as a named skipped test and on stderr, never as a silent pass.
 */
import { randomUUID } from 'node:crypto';
import { test } from '@jest/globals';
import { MongoClient } from 'mongodb';
import { createMongoStore } from '../../storage/mongo/mongo-store.js';
import { describeStorageContract, type StoreHarness } from './storage-contract.js';

const uri = process.env.MONGODB_URI;

async function dropDatabase(connectionString: string, dbName: string): Promise<void> {
  const client = new MongoClient(connectionString, { serverSelectionTimeoutMS: 5000 });
  try {
    await client.db(dbName).dropDatabase();
  } finally {
    await client.close();
  }
}

if (uri) {
  describeStorageContract('MongoDB', async (): Promise<StoreHarness> => {
    const dbName = `olympus_test_${randomUUID().replaceAll('-', '').slice(0, 20)}`;
    const store = createMongoStore({ uri, dbName });
    try {
      await store.init();
    } catch (error) {
      await store.close();
      throw error;
    }
    return {
      store,
      async teardown(): Promise<void> {
        try {
          await store.close();
        } finally {
          await dropDatabase(uri, dbName);
        }
      },
    };
  });
} else {
  const reason = 'MongoDB contract suite skipped: MONGODB_URI is not set (no MongoDB server on this machine)';
  process.stderr.write(`${reason}\n`);
  test.skip(reason, () => undefined);
}
