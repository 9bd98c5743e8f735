/** The validated configuration, grouped by part, built from resolved variables. */
import path from 'node:path';
import {
  resolvePrices,
  resolveTiers,
  type LlmPriceTable,
  type LlmTierTable,
} from '../../agents/llm/llm-settings.js';
import { handleListSchema, type RoleMap } from '../../handlers/access/role-map.js';
import { parseDuration } from '../slack/duration.js';
import { isSecretVariable } from './variables.js';

export type ValueSource = 'env' | 'file' | 'default';

export interface ResolvedValue {
  value: unknown;
  source: ValueSource;
}

export type StoreConfig =
  | { kind: 'embedded'; dataDir: string; port: number }
  | { kind: 'postgres'; url: string }
  | { kind: 'mongo'; uri: string };

export interface Config {
  env: 'development' | 'production' | 'test';
  log: { level: string; format: 'json' | 'pretty' };
  http: {
    host: string;
    port: number;
    /** Port of `olympus worker`'s health and metrics server; 0 for none. */
    workerPort: number;
    /** Where clients (`olympus chat`) reach the server. */
    url: string;
  };
  dataDir: string;
  shutdownTimeoutMs: number;
  /** Nice steps `olympus worker` adds to its own priority once up; 0 for none. */
  workerNice: number;
  /** Messages per client per minute that reach the intake brain; 0: no limit. */
  clientRateLimit: number;
  store: StoreConfig;
  jobs: { processEvery: string; maxConcurrency: number; lockLimit: number; lockLifetimeMs: number };
  llm: {
    ollamaHost: string | null;
    openai: { apiKey: string; baseUrl: string | null } | null;
    tiers: LlmTierTable;
    prices: LlmPriceTable;
    timeoutMs: number;
    maxAttempts: number;
  };
  slack: {
    botToken: string;
    appToken: string | null;
    signingSecret: string | null;
    apiUrl: string | null;
    opsChannel: string | null;
    /** Slack user ids with the TO role. */
    toUsers: string[];
    /** Team ids (T…) served; empty: the bot token's team (auth.test). */
    allowedTeamIds: string[];
    /** Enterprise ids (E…) a request may name; empty: the bot token's enterprise, if any. */
    allowedEnterpriseIds: string[];
    /** User group (S…) whose members are TOs too. */
    toUsergroup: string | null;
    /** User group (S…) mentioned on escalation. */
    escalationGroup: string | null;
    /** Channel for project threads (else the client's DM). */
    clientsChannel: string | null;
    /** Reminder, escalation and expiry waits of pending checkpoints, in ms. */
    reminders: { remindAfterMs: number; escalateAfterMs: number; expireAfterMs: number };
  } | null;
  discord: {
    botToken: string;
    /** REST base URL ending in /api; null for Discord itself. */
    apiUrl: string | null;
    guildId: string | null;
    projectsChannel: string | null;
  } | null;
  email: {
    address: string;
    imapUrl: string;
    smtpUrl: string;
    /** authserv-id of our server's Authentication-Results; null: sender authentication is not checked. */
    authservId: string | null;
    maxBytes: number;
    repliesPerHour: number;
    /** How senders are authenticated: our server's Authentication-Results, or mailauth's own checks. */
    verify: 'authentication-results' | 'mailauth';
  } | null;
  /** Daily status digest time (`HH:MM` or `daily HH:MM`, client's time zone) or `off`. */
  digestSchedule: string;
  vault: { masterKey: string | null; gcpProjectId: string | null };
  /** When a pending checkpoint is reminded, escalated and expired (the `checkpoint.remind` sweep). */
  checkpoints: { remindAfterMs: number; escalateAfterMs: number; expireAfterMs: number };
  /** Identities given the TO or admin role by configuration. */
  access: RoleMap;
  /** OpenTelemetry export; null when no OTLP endpoint is configured. */
  tracing: { endpoint: string; serviceName: string } | null;
  /** Every resolved variable with where it came from (for `olympus doctor`). */
  resolved: ReadonlyMap<string, ResolvedValue>;
  /** Values that must never appear in a log line. */
  secrets: string[];
}

export function buildConfig(
  resolved: Map<string, ResolvedValue>,
  context: { cwd: string; isTTY: boolean },
): Config {
  const str = (name: string): string | null => {
    const entry = resolved.get(name);
    return entry === undefined ? null : String(entry.value);
  };
  const num = (name: string): number => Number(resolved.get(name)?.value);
  const need = (name: string): string => str(name) ?? '';

  const env = need('NODE_ENV') as Config['env'];
  const formatSetting = need('OLYMPUS_LOG_FORMAT');
  const format: 'json' | 'pretty' =
    formatSetting === 'auto'
      ? env !== 'production' && context.isTTY
        ? 'pretty'
        : 'json'
      : (formatSetting as 'json' | 'pretty');
  const dataDir = path.resolve(context.cwd, need('OLYMPUS_DATA_DIR'));

  const databaseUrl = str('DATABASE_URL');
  const mongoUri = str('MONGODB_URI');
  const store: StoreConfig = databaseUrl
    ? { kind: 'postgres', url: databaseUrl }
    : mongoUri
      ? { kind: 'mongo', uri: mongoUri }
      : { kind: 'embedded', dataDir, port: num('OLYMPUS_EMBEDDED_PG_PORT') };

  const openaiKey = str('OPENAI_API_KEY');
  const slackToken = str('SLACK_BOT_TOKEN');
  const discordToken = str('DISCORD_BOT_TOKEN');
  const emailAddress = str('OLYMPUS_EMAIL_ADDRESS');

  const checkpointTimes = {
    remindAfterMs: parseDuration(need('OLYMPUS_CHECKPOINT_REMIND_AFTER')) ?? 4 * 3_600_000,
    escalateAfterMs: parseDuration(need('OLYMPUS_CHECKPOINT_ESCALATE_AFTER')) ?? 24 * 3_600_000,
    expireAfterMs: parseDuration(need('OLYMPUS_CHECKPOINT_EXPIRE_AFTER')) ?? 72 * 3_600_000,
  };

  return {
    env,
    checkpoints: checkpointTimes,
    log: { level: need('OLYMPUS_LOG_LEVEL'), format },
    http: {
      host: need('OLYMPUS_HTTP_HOST'),
      port: num('OLYMPUS_HTTP_PORT'),
      workerPort: num('OLYMPUS_WORKER_HTTP_PORT'),
      url: str('OLYMPUS_URL') ?? `http://127.0.0.1:${num('OLYMPUS_HTTP_PORT')}`,
    },
    dataDir,
    shutdownTimeoutMs: num('OLYMPUS_SHUTDOWN_TIMEOUT_MS'),
    workerNice: num('OLYMPUS_WORKER_NICE'),
    clientRateLimit: num('OLYMPUS_CLIENT_RATE_LIMIT'),
    store,
    jobs: {
      processEvery: need('OLYMPUS_JOBS_PROCESS_EVERY'),
      maxConcurrency: num('OLYMPUS_JOBS_MAX_CONCURRENCY'),
      lockLimit: num('OLYMPUS_JOBS_LOCK_LIMIT'),
      lockLifetimeMs: num('OLYMPUS_JOBS_LOCK_LIFETIME_MS'),
    },
    llm: {
      ollamaHost: str('OLLAMA_HOST'),
      openai: openaiKey ? { apiKey: openaiKey, baseUrl: str('OPENAI_BASE_URL') } : null,
      tiers: resolveTiers(str('OLYMPUS_LLM_TIERS')),
      prices: resolvePrices(str('OLYMPUS_LLM_PRICES')),
      timeoutMs: num('OLYMPUS_LLM_TIMEOUT_MS'),
      maxAttempts: num('OLYMPUS_LLM_MAX_ATTEMPTS'),
    },
    slack: slackToken
      ? {
          botToken: slackToken,
          appToken: str('SLACK_APP_TOKEN'),
          signingSecret: str('SLACK_SIGNING_SECRET'),
          apiUrl: str('SLACK_API_URL'),
          opsChannel: str('SLACK_OPS_CHANNEL'),
          toUsers: idList(str('SLACK_TO_USERS')),
          allowedTeamIds: idList(str('SLACK_ALLOWED_TEAM_IDS')),
          allowedEnterpriseIds: idList(str('SLACK_ALLOWED_ENTERPRISE_IDS')),
          toUsergroup: str('SLACK_TO_USERGROUP'),
          escalationGroup: str('SLACK_ESCALATION_GROUP'),
          clientsChannel: str('SLACK_CLIENTS_CHANNEL'),
          reminders: checkpointTimes,
        }
      : null,
    discord: discordToken
      ? {
          botToken: discordToken,
          apiUrl: str('DISCORD_API_URL'),
          guildId: str('DISCORD_GUILD_ID'),
          projectsChannel: str('DISCORD_PROJECTS_CHANNEL'),
        }
      : null,
    email: emailAddress
      ? {
          address: emailAddress,
          imapUrl: need('IMAP_URL'),
          smtpUrl: need('SMTP_URL'),
          authservId: str('OLYMPUS_EMAIL_AUTHSERV_ID'),
          maxBytes: num('OLYMPUS_EMAIL_MAX_BYTES'),
          repliesPerHour: num('OLYMPUS_EMAIL_REPLIES_PER_HOUR'),
          verify: (str('OLYMPUS_EMAIL_VERIFY') ?? 'authentication-results') as
            'authentication-results' | 'mailauth',
        }
      : null,
    digestSchedule: str('OLYMPUS_DIGEST_SCHEDULE') ?? '09:00',
    vault: { masterKey: str('OLYMPUS_MASTER_KEY'), gcpProjectId: str('GCP_PROJECT_ID') },
    access: {
      operators: handleListSchema.parse(str('OLYMPUS_OPERATORS') ?? ''),
      admins: handleListSchema.parse(str('OLYMPUS_ADMINS') ?? ''),
    },
    tracing: str('OTEL_EXPORTER_OTLP_ENDPOINT')
      ? { endpoint: need('OTEL_EXPORTER_OTLP_ENDPOINT'), serviceName: need('OTEL_SERVICE_NAME') }
      : null,
    resolved,
    secrets: secretValues(resolved),
  };
}

/** A comma-separated list of ids, trimmed, empty entries dropped. */
function idList(value: string | null): string[] {
  return (value ?? '')
    .split(',')
    .map((id) => id.trim())
    .filter((id) => id.length > 0);
}

function secretValues(resolved: Map<string, ResolvedValue>): string[] {
  const values: string[] = [];
  for (const [name, entry] of resolved) {
    if (!isSecretVariable(name)) continue;
    const value = String(entry.value);
    values.push(value);
    // A URL's password is a secret on its own too.
    const password = urlPassword(value);
    if (password) values.push(password, decodeURIComponent(password));
  }
  return [...new Set(values.filter((v) => v.length >= 4))];
}

function urlPassword(value: string): string | null {
  try {
    const url = new URL(value);
    return url.password === '' ? null : url.password;
  } catch {
    return null;
  }
}
