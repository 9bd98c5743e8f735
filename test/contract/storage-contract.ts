/**
 * The storage port's contract: one suite every adapter passes against a real database (DESIGN.md §5).
 * An adapter's test file calls `describeStorageContract` with a factory for a fresh store.
 */
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Store } from '../../ports/store.js';
import { agentProgressCases } from './storage-cases/agent-progress-cases.js';
import { checkpointCases } from './storage-cases/checkpoint-cases.js';
import { conversationCases } from './storage-cases/conversation-cases.js';
import { identityCases } from './storage-cases/identity-cases.js';
import { identityLinkCases } from './storage-cases/identity-link-cases.js';
import { inboxCases, outboxCases } from './storage-cases/inbox-outbox-cases.js';
import { leaseCases } from './storage-cases/lease-cases.js';
import { auditCases, ledgerCases } from './storage-cases/ledger-audit-cases.js';
import { projectCases } from './storage-cases/project-cases.js';
import { rateCounterCases } from './storage-cases/rate-counter-cases.js';
import { secretLeaseCases } from './storage-cases/secret-lease-cases.js';
import { taskCases } from './storage-cases/task-cases.js';

export interface StoreHarness {
  store: Store;
  teardown(): Promise<void>;
}

export function describeStorageContract(label: string, makeHarness: () => Promise<StoreHarness>): void {
  describe(label, () => {
    let harness: StoreHarness | undefined;
    const getStore = (): Store => {
      if (!harness) throw new Error(`${label}: the store harness did not start`);
      return harness.store;
    };

    beforeAll(async () => {
      harness = await makeHarness();
      await harness.store.init();
      await harness.store.init(); // init is idempotent
    });

    afterAll(async () => {
      await harness?.teardown();
    });

    test('ping answers and the backend is named', async () => {
      const store = getStore();
      await expect(store.ping()).resolves.toBeUndefined();
      expect(['postgres', 'mongo']).toContain(store.backend);
      // The job queue's connection is the store's own database, with the job tables `init()` made.
      const connection = store.connection();
      expect(connection.backend).toBe(store.backend);
      const handle = connection.backend === 'postgres' ? connection.pool : connection.db;
      expect(handle).toBeTruthy();
      const tables =
        connection.backend === 'postgres'
          ? [connection.jobsTable, connection.jobLogsTable]
          : [connection.jobsCollection];
      for (const table of tables) expect(table).toMatch(/^\w+$/);
    });

    identityCases(getStore);
    identityLinkCases(getStore);
    conversationCases(getStore);
    projectCases(getStore);
    taskCases(getStore);
    agentProgressCases(getStore);
    checkpointCases(getStore);
    ledgerCases(getStore);
    auditCases(getStore);
    inboxCases(getStore);
    outboxCases(getStore);
    leaseCases(getStore);
    secretLeaseCases(getStore);
    rateCounterCases(getStore);
  });
}
