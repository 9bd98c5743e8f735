/**
 * The schema, as an ordered list of migrations. Never edit a released migration: append a new one.
 * Each runs once, inside the transaction and advisory lock of `migrate()`.
 */
import {
  AGENDA_JOBS_TABLE,
  agendaJobsIndexesAndTrigger,
  agendaJobsTable,
  agendaLogsTable,
} from './agenda-tables.js';

export interface Migration {
  version: number;
  name: string;
  statements: string[];
}

const identities = `
CREATE TABLE identities (
  id text PRIMARY KEY,
  display_name text NOT NULL,
  role text NOT NULL CHECK (role IN ('client', 'to', 'admin')),
  local_only boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  ord bigint GENERATED ALWAYS AS IDENTITY
);
CREATE TABLE identity_handles (
  surface text NOT NULL,
  external_id text NOT NULL,
  identity_id text NOT NULL REFERENCES identities (id) ON DELETE CASCADE,
  ord bigint GENERATED ALWAYS AS IDENTITY,
  PRIMARY KEY (surface, external_id)
);
CREATE INDEX identity_handles_identity_idx ON identity_handles (identity_id, ord);
`;

const conversations = `
CREATE TABLE conversations (
  id text PRIMARY KEY,
  surface text NOT NULL,
  thread_key text NOT NULL,
  identity_id text NOT NULL,
  state text NOT NULL DEFAULT 'collecting',
  messages jsonb NOT NULL DEFAULT '[]',
  draft jsonb NOT NULL DEFAULT '{}',
  project_id text,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  ord bigint GENERATED ALWAYS AS IDENTITY,
  CONSTRAINT conversations_thread_key UNIQUE (surface, thread_key)
);
CREATE INDEX conversations_identity_idx ON conversations (identity_id, ord);
`;

const projects = `
CREATE TABLE projects (
  id text PRIMARY KEY,
  key text NOT NULL CONSTRAINT projects_key_unique UNIQUE,
  title text NOT NULL,
  owner_id text NOT NULL,
  status text NOT NULL,
  budget_amount double precision,
  budget_currency text,
  spent double precision NOT NULL DEFAULT 0,
  local_only boolean NOT NULL DEFAULT false,
  threads jsonb NOT NULL DEFAULT '[]',
  brief_version integer NOT NULL DEFAULT 1,
  version integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  ord bigint GENERATED ALWAYS AS IDENTITY,
  CHECK ((budget_amount IS NULL) = (budget_currency IS NULL))
);
CREATE INDEX projects_owner_idx ON projects (owner_id, ord);
CREATE TABLE briefs (
  project_id text NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
  version integer NOT NULL,
  content jsonb NOT NULL,
  created_by text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (project_id, version)
);
`;

const tasks = `
CREATE TABLE tasks (
  id text PRIMARY KEY,
  project_id text NOT NULL,
  key text NOT NULL,
  role text NOT NULL,
  title text NOT NULL,
  spec text NOT NULL,
  acceptance text[] NOT NULL DEFAULT '{}',
  depends_on text[] NOT NULL DEFAULT '{}',
  status text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  fence bigint NOT NULL DEFAULT 0,
  lease_holder text,
  lease_expires_at timestamptz,
  artifacts jsonb NOT NULL DEFAULT '[]',
  cost double precision NOT NULL DEFAULT 0,
  last_error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  ord bigint GENERATED ALWAYS AS IDENTITY,
  CONSTRAINT tasks_project_key UNIQUE (project_id, key)
);
CREATE INDEX tasks_project_idx ON tasks (project_id, ord);
CREATE INDEX tasks_claimable_idx ON tasks (status, lease_expires_at) WHERE status IN ('ready', 'running');
`;

const checkpoints = `
CREATE TABLE checkpoints (
  id text PRIMARY KEY,
  project_id text NOT NULL,
  task_id text,
  kind text NOT NULL,
  requested_by text NOT NULL,
  request jsonb NOT NULL,
  status text NOT NULL DEFAULT 'pending',
  decision jsonb,
  cards jsonb NOT NULL DEFAULT '[]',
  reminders_sent integer NOT NULL DEFAULT 0,
  expires_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  decided_at timestamptz,
  ord bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX checkpoints_project_idx ON checkpoints (project_id, ord);
CREATE INDEX checkpoints_status_idx ON checkpoints (status, ord);
`;

const ledger = `
CREATE TABLE ledger_entries (
  id text PRIMARY KEY,
  kind text NOT NULL,
  project_id text,
  task_id text,
  provider text NOT NULL,
  model text NOT NULL,
  input_tokens integer NOT NULL,
  output_tokens integer NOT NULL,
  cost double precision NOT NULL,
  currency text NOT NULL,
  latency_ms double precision NOT NULL,
  at timestamptz NOT NULL,
  meta jsonb NOT NULL DEFAULT '{}',
  ord bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX ledger_entries_project_idx ON ledger_entries (project_id, ord);
CREATE INDEX ledger_entries_task_idx ON ledger_entries (task_id, ord);
`;

const audit = `
CREATE TABLE audit_events (
  seq bigint PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  subject_type text NOT NULL,
  subject_id text NOT NULL,
  data jsonb NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX audit_events_subject_idx ON audit_events (subject_id, seq);
CREATE FUNCTION olympus_audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP;
END;
$$;
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
  FOR EACH ROW EXECUTE FUNCTION olympus_audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
  FOR EACH STATEMENT EXECUTE FUNCTION olympus_audit_events_append_only();
`;

const inboxOutboxLeases = `
CREATE TABLE inbox (
  key text PRIMARY KEY,
  surface text NOT NULL,
  payload jsonb,
  status text NOT NULL DEFAULT 'received',
  attempts integer NOT NULL DEFAULT 0,
  error text,
  received_at timestamptz NOT NULL DEFAULT now(),
  processed_at timestamptz,
  ord bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX inbox_unfinished_idx ON inbox (ord) WHERE status <> 'done';
CREATE TABLE outbox (
  effect_id text PRIMARY KEY,
  kind text NOT NULL,
  payload jsonb,
  status text NOT NULL DEFAULT 'pending',
  attempts integer NOT NULL DEFAULT 0,
  result jsonb,
  error text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  ord bigint GENERATED ALWAYS AS IDENTITY
);
CREATE INDEX outbox_pending_idx ON outbox (ord) WHERE status <> 'done';
CREATE TABLE leases (
  key text PRIMARY KEY,
  holder text NOT NULL,
  token bigint NOT NULL,
  expires_at timestamptz NOT NULL
);
`;

export const migrations: readonly Migration[] = [
  {
    version: 1,
    name: 'core tables',
    statements: [identities, conversations, projects, tasks, checkpoints, ledger, audit, inboxOutboxLeases],
  },
  {
    version: 2,
    name: 'agenda jobs and logs tables',
    statements: [
      agendaJobsTable,
      // A table made by an older Agenda (ensureSchema) lacks these; the library adds them the same way.
      `ALTER TABLE "${AGENDA_JOBS_TABLE}" ADD COLUMN IF NOT EXISTS start_date TIMESTAMPTZ`,
      `ALTER TABLE "${AGENDA_JOBS_TABLE}" ADD COLUMN IF NOT EXISTS end_date TIMESTAMPTZ`,
      `ALTER TABLE "${AGENDA_JOBS_TABLE}" ADD COLUMN IF NOT EXISTS skip_days JSONB`,
      ...agendaJobsIndexesAndTrigger,
      ...agendaLogsTable,
    ],
  },
  {
    version: 3,
    name: 'inbox attempt start time',
    statements: ['ALTER TABLE inbox ADD COLUMN started_at timestamptz'],
  },
  {
    version: 4,
    name: 'agent loop progress and ledger effect keys',
    statements: [
      `ALTER TABLE tasks ADD COLUMN progress jsonb, ADD COLUMN waiting_on text,
         ADD COLUMN progress_at timestamptz`,
      'ALTER TABLE ledger_entries ADD COLUMN effect_key text',
      'CREATE UNIQUE INDEX ledger_entries_effect_key_idx ON ledger_entries (effect_key) WHERE effect_key IS NOT NULL',
    ],
  },
  {
    version: 5,
    name: 'secret leases',
    statements: [
      `CREATE TABLE secret_leases (
  id text PRIMARY KEY,
  project_id text NOT NULL,
  task_id text NOT NULL,
  tool text NOT NULL,
  credential text NOT NULL,
  secret_name text NOT NULL,
  secret_version text NOT NULL,
  checkpoint_id text NOT NULL CONSTRAINT secret_leases_checkpoint_unique UNIQUE,
  granted_by text NOT NULL,
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  ord bigint GENERATED ALWAYS AS IDENTITY
)`,
      'CREATE INDEX secret_leases_task_idx ON secret_leases (task_id, ord)',
    ],
  },
  {
    version: 6,
    name: 'identity link codes',
    statements: [
      `CREATE TABLE identity_link_codes (
  identity_id text PRIMARY KEY REFERENCES identities (id) ON DELETE CASCADE,
  surface text NOT NULL,
  external_id text NOT NULL,
  code_hash text NOT NULL,
  attempts integer NOT NULL DEFAULT 0,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
)`,
      'ALTER TABLE identities ADD COLUMN timezone text',
    ],
  },
  {
    version: 7,
    name: 'rate counters',
    statements: [
      `CREATE TABLE rate_counters (
  key text NOT NULL,
  window_start timestamptz NOT NULL,
  count integer NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (key, window_start)
)`,
      'CREATE INDEX rate_counters_expires_at ON rate_counters (expires_at)',
    ],
  },
  {
    version: 8,
    name: 'inbox entries carry what their handler attached',
    statements: ['ALTER TABLE inbox ADD COLUMN attached jsonb'],
  },
  {
    version: 9,
    name: 'a credential checkpoint serves every task that waits on it',
    statements: [
      "ALTER TABLE checkpoints ADD COLUMN waiters jsonb NOT NULL DEFAULT '[]'::jsonb",
      'ALTER TABLE secret_leases DROP CONSTRAINT secret_leases_checkpoint_unique',
      'ALTER TABLE secret_leases ADD CONSTRAINT secret_leases_checkpoint_task_unique UNIQUE (checkpoint_id, task_id)',
    ],
  },
  {
    version: 10,
    name: 'the local vault in the shared store: sealed values and the key check value',
    statements: [
      `CREATE TABLE vault_secrets (
  name text PRIMARY KEY,
  labels jsonb NOT NULL,
  created_at timestamptz NOT NULL
)`,
      `CREATE TABLE vault_secret_versions (
  secret text NOT NULL REFERENCES vault_secrets (name),
  version integer NOT NULL CHECK (version > 0),
  state text NOT NULL CHECK (state IN ('enabled', 'disabled', 'destroyed')),
  iv text,
  tag text,
  ciphertext text,
  created_at timestamptz NOT NULL,
  destroyed_at timestamptz,
  PRIMARY KEY (secret, version),
  CHECK ((state = 'destroyed') = (ciphertext IS NULL) AND (ciphertext IS NULL) = (iv IS NULL) AND (iv IS NULL) = (tag IS NULL))
)`,
      `CREATE TABLE vault_key_check (
  id text PRIMARY KEY CHECK (id = 'local'),
  iv text NOT NULL,
  tag text NOT NULL,
  ciphertext text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
)`,
    ],
  },
];
