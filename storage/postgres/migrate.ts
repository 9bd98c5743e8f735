/**
 * Applies pending migrations in one transaction under a transaction-scoped advisory lock, so any number
 * of processes may call it at the same moment: one migrates, the others wait and then find nothing to do.
 */
import type { Database } from './database.js';
import { migrations as allMigrations, type Migration } from './migrations.js';
import type { StoreLog } from './store-log.js';

/** Advisory lock key of schema migrations ("olympus-migrate"); distinct from the audit chain's key. */
export const MIGRATION_LOCK_KEY = 7_081_326_001;

export interface MigrationReport {
  applied: number[];
  latest: number;
}

export async function migrate(
  db: Database,
  log: StoreLog,
  migrations: readonly Migration[] = allMigrations,
): Promise<MigrationReport> {
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  const report = await db.transaction(async (tx) => {
    await tx.rows(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK_KEY})`);
    await tx.rows(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const rows = await tx.rows<{ version: number }>('SELECT version FROM schema_migrations');
    const done = new Set(rows.map((row) => row.version));
    const applied: number[] = [];
    for (const migration of ordered) {
      if (done.has(migration.version)) continue;
      for (const statement of migration.statements) await tx.rows(statement);
      await tx.rows('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      applied.push(migration.version);
    }
    const latestKnown = ordered.at(-1)?.version ?? 0;
    const latestInDatabase = Math.max(0, ...done, ...applied);
    if (latestInDatabase > latestKnown) {
      log.warn('database schema is newer than this build', {
        database: latestInDatabase,
        build: latestKnown,
      });
    }
    return { applied, latest: latestInDatabase };
  });
  if (report.applied.length > 0) log.info('postgres schema migrated', { applied: report.applied });
  return report;
}
