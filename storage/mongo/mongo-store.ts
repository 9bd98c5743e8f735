/**
 * The MongoDB adapter of the storage port. `createMongoStore` does no I/O: the driver connects on
 * `init()` or on the first operation. Works on a standalone server (no transactions are used); every
 * racy write is a single-document atomic operation guarded by its filter or by a unique index.
 */
import { MongoClient } from 'mongodb';
import { OlympusError, errorMessage } from '../../common/errors.js';
import type { Store, StoreConnection } from '../../ports/store.js';
import { MongoAuditRepository } from './audit-repository.js';
import { MongoCheckpointRepository } from './checkpoint-repository.js';
import { MongoConversationRepository } from './conversation-repository.js';
import { AGENDA_COLLECTION, collections } from './documents.js';
import { MongoIdentityRepository } from './identity-repository.js';
import { MongoIdentityLinkRepository } from './identity-link-repository.js';
import { MongoInboxRepository } from './inbox-repository.js';
import { ensureIndexes } from './indexes.js';
import { MongoLeaseRepository } from './lease-repository.js';
import { MongoLedgerRepository } from './ledger-repository.js';
import { describeTarget, guardRepository, translateError, unavailable } from './mongo-errors.js';
import { MongoOutboxRepository } from './outbox-repository.js';
import { MongoProjectRepository } from './project-repository.js';
import { MongoSecretLeaseRepository } from './secret-lease-repository.js';
import { MongoTaskRepository } from './task-repository.js';
import { MongoRateCounterRepository } from './rate-counter-repository.js';
import { MongoVaultRecordRepository } from './vault-record-repository.js';

export interface MongoStoreOptions {
  /** Connection string (`MONGODB_URI`), e.g. `mongodb://user:pass@host:27017/olympus`. */
  uri: string;
  /** Database name; defaults to the connection string's path, else `olympus`. */
  dbName?: string;
}

const DEFAULT_DB_NAME = 'olympus';
/** How long an operation waits for a usable server before failing (driver default: 30 s). */
const SERVER_SELECTION_TIMEOUT_MS = 5000;

/** The database named in the connection string's path, if any. */
function databaseInUri(uri: string): string | undefined {
  const match = /^[a-z+]+:\/\/[^/]*\/([^?]+)/i.exec(uri);
  const name = match?.[1];
  return name ? decodeURIComponent(name) : undefined;
}

function connect(uri: string, target: string): MongoClient {
  try {
    return new MongoClient(uri, {
      serverSelectionTimeoutMS: SERVER_SELECTION_TIMEOUT_MS,
      // Omit `undefined` fields instead of storing null: stored JSON matches what callers passed.
      ignoreUndefined: true,
      appName: 'olympus',
    });
  } catch (error) {
    // No `cause`: URL parse errors carry the whole input, password included.
    throw new OlympusError(
      'CONFIG_INVALID',
      `invalid MongoDB connection string for ${target}: ${errorMessage(error)}`,
      {
        userMessage: 'The MongoDB connection string is not valid.',
      },
    );
  }
}

export function createMongoStore(options: MongoStoreOptions): Store {
  const target = describeTarget(options.uri);
  const client = connect(options.uri, target);
  const db = client.db(options.dbName ?? databaseInUri(options.uri) ?? DEFAULT_DB_NAME);
  const c = collections(db);
  let closed = false;

  /**
   * Connects if not connected; a no-op check once connected. Needed before every operation because the
   * driver's implicit connect leaves a closed topology behind when the first attempt fails (server down
   * at start), and every later operation would then fail with "Topology is closed" for good.
   */
  const connected = async (): Promise<void> => {
    if (closed) {
      throw new OlympusError('STORE_UNAVAILABLE', `the MongoDB store for ${target} has been closed`, {
        userMessage: 'Our database connection is shut down.',
      });
    }
    await client.connect();
  };
  const wrap = <T extends object>(repository: T): T => guardRepository(repository, target, connected);

  const audit = wrap(new MongoAuditRepository(c));
  return {
    backend: 'mongo',
    identities: wrap(new MongoIdentityRepository(c)),
    conversations: wrap(new MongoConversationRepository(c)),
    projects: wrap(new MongoProjectRepository(c)),
    tasks: wrap(new MongoTaskRepository(c)),
    checkpoints: wrap(new MongoCheckpointRepository(c, audit)),
    ledger: wrap(new MongoLedgerRepository(c)),
    audit,
    inbox: wrap(new MongoInboxRepository(c)),
    outbox: wrap(new MongoOutboxRepository(c)),
    leases: wrap(new MongoLeaseRepository(c)),
    secretLeases: wrap(new MongoSecretLeaseRepository(c)),
    identityLinks: wrap(new MongoIdentityLinkRepository(c)),
    rateCounters: wrap(new MongoRateCounterRepository(c)),
    vaultRecords: wrap(new MongoVaultRecordRepository(c)),

    async init(): Promise<void> {
      try {
        await connected();
        await ensureIndexes(db);
      } catch (error) {
        throw translateError(target, error);
      }
    },

    async ping(): Promise<void> {
      try {
        await connected();
        await db.command({ ping: 1 });
      } catch (error) {
        throw error instanceof OlympusError ? error : unavailable(target, error);
      }
    },

    /** This store's database and the jobs collection whose indexes `init()` created. */
    connection(): StoreConnection {
      return { backend: 'mongo', db, jobsCollection: AGENDA_COLLECTION };
    },

    async close(): Promise<void> {
      closed = true;
      await client.close();
    },
  };
}
