/**
 * Agenda's backend on the store's own database, built from the store's connection: `PostgresBackend` on
 * the store's pool (with LISTEN/NOTIFY, so a new job starts without waiting for a poll) or `MongoBackend`
 * on the store's database. The tables and indexes are the ones the store's `init()` made, so Agenda never
 * creates schema itself. Each backend package is loaded only when used: a PostgreSQL install never loads
 * the MongoDB one.
 */
import type { AgendaBackend } from 'agenda';
import type { Db } from 'mongodb';
import type { Pool } from 'pg';
import type { StoreConnection } from '../../ports/store.js';

export async function agendaBackend(connection: StoreConnection): Promise<AgendaBackend> {
  if (connection.backend === 'postgres') {
    const { PostgresBackend } = await import('@agendajs/postgres-backend');
    // The pool stays the store's: the backend does not close a pool it was given.
    return new PostgresBackend({
      pool: connection.pool as Pool,
      tableName: connection.jobsTable,
      logTableName: connection.jobLogsTable,
      ensureSchema: false,
    });
  }
  // MongoDB gives Agenda no notification channel here (it polls): a change-stream channel needs a
  // replica set.
  const { MongoBackend } = await import('@agendajs/mongo-backend');
  return new MongoBackend({
    mongo: connection.db as Db,
    collection: connection.jobsCollection,
    ensureIndex: false,
  });
}
