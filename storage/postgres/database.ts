/**
 * A thin layer over the pg pool: typed row queries and transactions, with every failure translated into
 * an OlympusError (see pg-errors.ts). Repositories only ever talk to a `Queryable`.
 */
import pg from 'pg';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import { describeTarget, translatePgError, type DatabaseTarget } from './pg-errors.js';
import type { StoreLog } from './store-log.js';

/**
 * A statement PostgreSQL parses and plans once per connection and then runs by name, for the statements
 * run once per event or more (see `prepared`).
 */
export interface PreparedSql {
  readonly name: string;
  readonly text: string;
}

/** SQL text, or a prepared statement. */
export type Sql = string | PreparedSql;

export interface Queryable {
  rows<R extends QueryResultRow>(sql: Sql, params?: readonly unknown[]): Promise<R[]>;
  one<R extends QueryResultRow>(sql: Sql, params?: readonly unknown[]): Promise<R | null>;
}

const preparedTexts = new Map<string, string>();

/**
 * Declares a prepared statement (once, at module load). A connection keeps it for its life, so its
 * result columns are named (`RETURNING key`, never `*`): a column a later migration adds then never
 * changes a prepared statement's result type under a running process. A name is given one text only.
 */
export function prepared(name: string, text: string): PreparedSql {
  const known = preparedTexts.get(name);
  if (known !== undefined && known !== text) {
    throw new Error(`prepared statement ${name} is already declared with another text`);
  }
  preparedTexts.set(name, text);
  return { name, text };
}

/** What pg's `query` takes for `sql` with `params`. */
function queryConfig(sql: Sql, params: readonly unknown[]): pg.QueryConfig {
  return typeof sql === 'string'
    ? { text: sql, values: [...params] }
    : { name: sql.name, text: sql.text, values: [...params] };
}

export interface DatabaseOptions {
  connectionString: string;
  poolMax?: number;
  log: StoreLog;
}

/** A JSON value as a `jsonb` parameter (`undefined` becomes SQL NULL). */
export function jsonParam(value: unknown): string | null {
  if (value === undefined) return null;
  return JSON.stringify(value);
}

class ClientQueries implements Queryable {
  constructor(
    private readonly client: PoolClient,
    private readonly target: DatabaseTarget,
  ) {}

  async rows<R extends QueryResultRow>(sql: Sql, params: readonly unknown[] = []): Promise<R[]> {
    try {
      const result = await this.client.query<R>(queryConfig(sql, params));
      return result.rows;
    } catch (error) {
      throw translatePgError(error, this.target);
    }
  }

  async one<R extends QueryResultRow>(sql: Sql, params: readonly unknown[] = []): Promise<R | null> {
    return (await this.rows<R>(sql, params))[0] ?? null;
  }
}

export class Database implements Queryable {
  readonly pool: Pool;
  readonly target: DatabaseTarget;
  private readonly log: StoreLog;
  private closed = false;

  constructor(options: DatabaseOptions) {
    this.target = describeTarget(options.connectionString);
    this.log = options.log;
    // No I/O here: pg pools connect lazily, on the first query.
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.poolMax ?? 10,
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
    });
    // An idle client losing its connection emits 'error' on the pool; unhandled, it would crash the process.
    this.pool.on('error', (error: Error) => {
      this.log.warn('postgres pool client error', {
        host: this.target.host,
        port: this.target.port,
        error: error.message,
      });
    });
  }

  async rows<R extends QueryResultRow>(sql: Sql, params: readonly unknown[] = []): Promise<R[]> {
    try {
      const result = await this.pool.query<R>(queryConfig(sql, params));
      return result.rows;
    } catch (error) {
      throw translatePgError(error, this.target);
    }
  }

  async one<R extends QueryResultRow>(sql: Sql, params: readonly unknown[] = []): Promise<R | null> {
    return (await this.rows<R>(sql, params))[0] ?? null;
  }

  /** Runs `work` in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws. */
  async transaction<T>(work: (tx: Queryable) => Promise<T>): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw translatePgError(error, this.target);
    }
    const tx = new ClientQueries(client, this.target);
    let broken: Error | undefined;
    // A checked-out client has no pool listener: a connection lost between statements must not crash us.
    const onClientError = (error: Error): void => {
      broken = error;
      this.log.warn('postgres connection lost inside a transaction', { error: error.message });
    };
    client.on('error', onClientError);
    try {
      await tx.rows('BEGIN');
      const result = await work(tx);
      await tx.rows('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // The connection is unusable: drop it from the pool instead of handing it out again.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw translatePgError(error, this.target);
    } finally {
      client.removeListener('error', onClientError);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }
}
