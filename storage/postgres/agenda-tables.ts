/**
 * The job queue's tables (Agenda's PostgreSQL backend): the jobs table and the job log table, with their
 * indexes and the `updated_at` trigger. This is the schema `@agendajs/postgres-backend` 3.0.6 creates
 * itself when `ensureSchema` is on, written out here so the store's migrations own it and the backend
 * can run with schema creation off (test/unit/agenda-tables.test.ts checks the two still agree).
 */

export const AGENDA_JOBS_TABLE = 'agenda_jobs';
export const AGENDA_LOGS_TABLE = 'agenda_logs';

/** The jobs table. */
export const agendaJobsTable = `
CREATE TABLE IF NOT EXISTS "${AGENDA_JOBS_TABLE}" (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name VARCHAR(255) NOT NULL,
  priority INTEGER NOT NULL DEFAULT 0,
  next_run_at TIMESTAMPTZ,
  type VARCHAR(10) NOT NULL DEFAULT 'normal' CHECK (type IN ('normal', 'single')),
  locked_at TIMESTAMPTZ,
  last_finished_at TIMESTAMPTZ,
  failed_at TIMESTAMPTZ,
  fail_count INTEGER DEFAULT NULL,
  fail_reason TEXT,
  repeat_timezone VARCHAR(100),
  last_run_at TIMESTAMPTZ,
  repeat_interval VARCHAR(255),
  data JSONB DEFAULT '{}'::jsonb,
  repeat_at VARCHAR(255),
  disabled BOOLEAN DEFAULT FALSE,
  progress REAL,
  fork BOOLEAN DEFAULT FALSE,
  last_modified_by VARCHAR(255),
  debounce_started_at TIMESTAMPTZ,
  start_date TIMESTAMPTZ,
  end_date TIMESTAMPTZ,
  skip_days JSONB,
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW()
);
`;

const jobsIndexes = [
  `CREATE INDEX IF NOT EXISTS "${AGENDA_JOBS_TABLE}_find_and_lock_idx"
  ON "${AGENDA_JOBS_TABLE}" (name, next_run_at, priority DESC, locked_at, disabled)
  WHERE disabled = FALSE`,
  `CREATE UNIQUE INDEX IF NOT EXISTS "${AGENDA_JOBS_TABLE}_single_job_idx"
  ON "${AGENDA_JOBS_TABLE}" (name) WHERE type = 'single'`,
  `CREATE INDEX IF NOT EXISTS "${AGENDA_JOBS_TABLE}_locked_at_idx"
  ON "${AGENDA_JOBS_TABLE}" (locked_at) WHERE locked_at IS NOT NULL`,
  `CREATE INDEX IF NOT EXISTS "${AGENDA_JOBS_TABLE}_next_run_at_idx"
  ON "${AGENDA_JOBS_TABLE}" (next_run_at) WHERE next_run_at IS NOT NULL`,
];

const updatedAtTrigger = `
CREATE OR REPLACE FUNCTION update_${AGENDA_JOBS_TABLE}_updated_at()
RETURNS TRIGGER AS $$
BEGIN
  NEW.updated_at = NOW();
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DROP TRIGGER IF EXISTS "${AGENDA_JOBS_TABLE}_updated_at_trigger" ON "${AGENDA_JOBS_TABLE}";

CREATE TRIGGER "${AGENDA_JOBS_TABLE}_updated_at_trigger"
BEFORE UPDATE ON "${AGENDA_JOBS_TABLE}"
FOR EACH ROW
EXECUTE FUNCTION update_${AGENDA_JOBS_TABLE}_updated_at();
`;

const logsTable = `
CREATE TABLE IF NOT EXISTS "${AGENDA_LOGS_TABLE}" (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  timestamp TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  level VARCHAR(10) NOT NULL,
  event VARCHAR(30) NOT NULL,
  job_id VARCHAR(255),
  job_name VARCHAR(255) NOT NULL,
  message TEXT NOT NULL,
  duration INTEGER,
  error TEXT,
  fail_count INTEGER,
  retry_delay INTEGER,
  retry_attempt INTEGER,
  agenda_name VARCHAR(255),
  meta JSONB
);
`;

const logsIndexes = [
  `CREATE INDEX IF NOT EXISTS "${AGENDA_LOGS_TABLE}_timestamp_idx"
  ON "${AGENDA_LOGS_TABLE}" (timestamp DESC)`,
  `CREATE INDEX IF NOT EXISTS "${AGENDA_LOGS_TABLE}_job_id_idx"
  ON "${AGENDA_LOGS_TABLE}" (job_id, timestamp DESC)`,
  `CREATE INDEX IF NOT EXISTS "${AGENDA_LOGS_TABLE}_job_name_idx"
  ON "${AGENDA_LOGS_TABLE}" (job_name, timestamp DESC)`,
];

/** The jobs table's indexes and its `updated_at` trigger, in order. */
export const agendaJobsIndexesAndTrigger: readonly string[] = [...jobsIndexes, updatedAtTrigger];

/** The job log table with its indexes, in order. */
export const agendaLogsTable: readonly string[] = [logsTable, ...logsIndexes];
