/**
 * The PostgreSQL adapter of the storage port. Construction does no I/O; `init()` migrates the schema
 * (the job queue's tables included) under an advisory lock; `connection()` shares this store's pool with
 * the job queue. The inbox has a small pool of its own, so the write before a surface's ack never queues
 * behind job work.
 */
import { OlympusError } from '../../common/errors.js';
import type { Store, StoreConnection } from '../../ports/store.js';
import { PostgresAuditRepository } from './audit-repository.js';
import { PostgresCheckpointRepository } from './checkpoint-repository.js';
import { PostgresConversationRepository } from './conversation-repository.js';
import { Database } from './database.js';
import { PostgresIdentityRepository } from './identity-repository.js';
import { PostgresIdentityLinkRepository } from './identity-link-repository.js';
import { PostgresInboxRepository } from './inbox-repository.js';
import { PostgresLeaseRepository } from './lease-repository.js';
import { PostgresLedgerRepository } from './ledger-repository.js';
import { migrate } from './migrate.js';
import { AGENDA_JOBS_TABLE, AGENDA_LOGS_TABLE } from './agenda-tables.js';
import { PostgresOutboxRepository } from './outbox-repository.js';
import { translatePgError } from './pg-errors.js';
import { PostgresProjectRepository } from './project-repository.js';
import { PostgresSecretLeaseRepository } from './secret-lease-repository.js';
import { toStoreLog } from './store-log.js';
import { PostgresTaskRepository } from './task-repository.js';
import { PostgresRateCounterRepository } from './rate-counter-repository.js';
import { PostgresVaultRecordRepository } from './vault-record-repository.js';

export interface PostgresStoreOptions {
  connectionString: string;
  /** Anything with debug/info/warn/error methods (winston, pino…); optional. */
  logger?: unknown;
  /** Most connections the pool opens (default 10). Agenda's LISTEN connection counts against it. */
  poolMax?: number;
  /**
   * Most connections of the inbox's own pool (default 3): the inbound write before each ack never waits
   * behind jobs and queries holding the main pool.
   */
  inboxPoolMax?: number;
}

export function createPostgresStore(options: PostgresStoreOptions): Store {
  const log = toStoreLog(options.logger);
  const db = new Database({ connectionString: options.connectionString, poolMax: options.poolMax, log });
  // Connects lazily: a process that receives nothing never opens it.
  const inboxDb = new Database({
    connectionString: options.connectionString,
    poolMax: options.inboxPoolMax ?? 3,
    log,
  });

  return {
    backend: 'postgres',
    identities: new PostgresIdentityRepository(db),
    conversations: new PostgresConversationRepository(db),
    projects: new PostgresProjectRepository(db),
    tasks: new PostgresTaskRepository(db),
    checkpoints: new PostgresCheckpointRepository(db),
    ledger: new PostgresLedgerRepository(db),
    audit: new PostgresAuditRepository(db),
    inbox: new PostgresInboxRepository(inboxDb),
    outbox: new PostgresOutboxRepository(db),
    leases: new PostgresLeaseRepository(db),
    secretLeases: new PostgresSecretLeaseRepository(db),
    identityLinks: new PostgresIdentityLinkRepository(db),
    rateCounters: new PostgresRateCounterRepository(db),
    vaultRecords: new PostgresVaultRecordRepository(db),

    async init(): Promise<void> {
      await migrate(db, log);
    },

    async ping(): Promise<void> {
      try {
        await db.pool.query('SELECT 1');
      } catch (error) {
        const translated = translatePgError(error, db.target);
        if (translated.code === 'STORE_UNAVAILABLE') throw translated;
        throw new OlympusError(
          'STORE_UNAVAILABLE',
          `PostgreSQL at ${db.target.host}:${db.target.port} does not answer: ${translated.message}`,
          { retryable: true, cause: error },
        );
      }
    },

    /**
     * This store's pool and the job tables `init()` created. Stop the job queue before `close()`: the
     * pool's end waits for the queue's LISTEN connection.
     */
    connection(): StoreConnection {
      return {
        backend: 'postgres',
        pool: db.pool,
        jobsTable: AGENDA_JOBS_TABLE,
        jobLogsTable: AGENDA_LOGS_TABLE,
      };
    },

    async close(): Promise<void> {
      await inboxDb.close();
      await db.close();
    },
  };
}
