/**
 * Every setting Olympus reads, in one table: name, part, what it expects, default, and whether its value is
 * a secret. The loader validates against it; `olympus doctor` and README list it.
 */
import { z } from 'zod';
import { jsonSetting, priceTableSchema, tierTableSchema } from '../../agents/llm/llm-settings.js';
import { handleListSchema } from '../../handlers/access/role-map.js';
import { parseDuration } from '../slack/duration.js';
import { identityTokensSchema } from '../console/console-access.js';

export type VariableGroup = 'core' | 'storage' | 'jobs' | 'llm' | 'slack' | 'discord' | 'email' | 'vault';

export interface VariableSpec {
  name: string;
  group: VariableGroup;
  /** What a valid value looks like, used in error messages. */
  expects: string;
  description: string;
  secret?: boolean;
  schema: z.ZodType;
  defaultValue?: string;
}

const text = z.string().trim().min(1);
const port = z.coerce.number().int().min(1).max(65535);
const positiveInt = z.coerce.number().int().positive();
const nonNegativeInt = z.coerce.number().int().min(0);
const httpUrl = z.url({ protocol: /^https?$/ });
const slackUsergroup = z
  .string()
  .trim()
  .regex(/^S[A-Z0-9]+$/, 'must be a Slack user group id (S…)');
const duration = z
  .string()
  .trim()
  .refine((value) => parseDuration(value) !== null, 'must be a duration such as "30 minutes" or "4 hours"');

/** Kept as text (doctor shows it as typed); `handleListSchema` turns it into handles in config.ts. */
const handleListSetting = z
  .string()
  .trim()
  .superRefine((value, context) => {
    const parsed = handleListSchema.safeParse(value);
    if (!parsed.success)
      context.addIssue({ code: 'custom', message: parsed.error.issues[0]?.message ?? 'invalid' });
  });

function variable(spec: VariableSpec): VariableSpec {
  return spec;
}

export const VARIABLES: readonly VariableSpec[] = [
  variable({
    name: 'NODE_ENV',
    group: 'core',
    expects: 'one of development, production, test',
    description: 'Run mode; production switches logs to JSON.',
    schema: z.enum(['development', 'production', 'test']),
    defaultValue: 'development',
  }),
  variable({
    name: 'OLYMPUS_LOG_LEVEL',
    group: 'core',
    expects: 'one of error, warn, info, http, verbose, debug, silly',
    description: 'Lowest log level written.',
    schema: z.enum(['error', 'warn', 'info', 'http', 'verbose', 'debug', 'silly']),
    defaultValue: 'info',
  }),
  variable({
    name: 'OLYMPUS_LOG_FORMAT',
    group: 'core',
    expects: 'one of auto, json, pretty',
    description: 'auto: readable in a terminal, JSON otherwise and always in production.',
    schema: z.enum(['auto', 'json', 'pretty']),
    defaultValue: 'auto',
  }),
  variable({
    name: 'OLYMPUS_HTTP_HOST',
    group: 'core',
    expects: 'a host name or IP address to bind',
    description: 'Address of the HTTP server (health, metrics, console, Slack events).',
    schema: text,
    defaultValue: '127.0.0.1',
  }),
  variable({
    name: 'OLYMPUS_HTTP_PORT',
    group: 'core',
    expects: 'a TCP port number from 1 to 65535',
    description: 'Port of the HTTP server.',
    schema: port,
    defaultValue: '3000',
  }),
  variable({
    name: 'OLYMPUS_URL',
    group: 'core',
    expects: 'an http(s) URL such as http://127.0.0.1:3000',
    description: 'Where `olympus chat` reaches the Olympus server (default: loopback on OLYMPUS_HTTP_PORT).',
    schema: httpUrl,
  }),
  variable({
    name: 'OLYMPUS_CONSOLE_TOKEN',
    group: 'core',
    expects: 'a token of at least 16 characters',
    description:
      'Admin login for the web console and the console/ops API; with any token set, every caller needs one.',
    secret: true,
    schema: z.string().trim().min(16, 'use at least 16 characters'),
  }),
  variable({
    name: 'OLYMPUS_CONSOLE_TOKENS',
    group: 'core',
    expects: 'comma-separated <surface>:<id>=<sha256 hex of the token> (see `olympus tokens create`)',
    description: 'Per-identity console logins; each person sees and does what their role allows.',
    // Kept as text; console-access.ts parses it into handles and hashes.
    schema: z
      .string()
      .trim()
      .superRefine((value, context) => {
        const parsed = identityTokensSchema.safeParse(value);
        if (!parsed.success)
          context.addIssue({ code: 'custom', message: parsed.error.issues[0]?.message ?? 'invalid' });
      }),
  }),
  variable({
    name: 'OLYMPUS_WORKER_HTTP_PORT',
    group: 'core',
    expects: 'a TCP port number from 1 to 65535, or 0 for none',
    description: 'Port on which `olympus worker` serves /healthz, /readyz and /metrics (0: no HTTP server).',
    schema: z.coerce.number().int().min(0).max(65535),
    defaultValue: '0',
  }),
  variable({
    name: 'OLYMPUS_WORKER_NICE',
    group: 'core',
    expects: 'an integer from 0 to 19',
    description:
      'How many steps `olympus worker` lowers its CPU priority once up (added to its nice value, at most 19), so a bot on the same machine is served first; 0 leaves it as started.',
    schema: z.coerce.number().int().min(0).max(19),
    defaultValue: '10',
  }),
  variable({
    name: 'OLYMPUS_OPERATORS',
    group: 'core',
    expects: 'comma-separated handles: slack:U…, discord:<id>, email:<address>, console:<name>',
    description: 'Identities with the Technical Operator role on any surface (they may decide checkpoints).',
    schema: handleListSetting,
  }),
  variable({
    name: 'OLYMPUS_ADMINS',
    group: 'core',
    expects: 'comma-separated handles: slack:U…, discord:<id>, email:<address>, console:<name>',
    description: 'Identities with the admin role on any surface.',
    schema: handleListSetting,
  }),
  variable({
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT',
    group: 'core',
    expects: 'an http(s) URL of an OTLP/HTTP collector, e.g. http://otel-collector:4318',
    description: 'Exports OpenTelemetry traces (inbound message, handler, LLM call, job) to <url>/v1/traces.',
    schema: httpUrl,
  }),
  variable({
    name: 'OTEL_SERVICE_NAME',
    group: 'core',
    expects: 'a service name',
    description: 'Service name on exported traces.',
    schema: text,
    defaultValue: 'olympus',
  }),
  variable({
    name: 'OLYMPUS_DATA_DIR',
    group: 'core',
    expects: 'a directory path',
    description: 'Where the embedded PostgreSQL, the local vault and workspaces keep their files.',
    schema: text,
    defaultValue: './data',
  }),
  variable({
    name: 'OLYMPUS_SHUTDOWN_TIMEOUT_MS',
    group: 'core',
    expects: 'a whole number of milliseconds (> 0)',
    description: 'How long a stop waits for running jobs before releasing them.',
    schema: positiveInt,
    defaultValue: '10000',
  }),
  variable({
    name: 'OLYMPUS_CLIENT_RATE_LIMIT',
    group: 'core',
    expects: 'a whole number of messages per minute (0: no limit)',
    description:
      'Messages one client may send per minute before Hermes stops answering (recorded, one notice per minute).',
    schema: nonNegativeInt,
    defaultValue: '30',
  }),
  variable({
    name: 'DATABASE_URL',
    group: 'storage',
    expects: 'a postgres:// or postgresql:// connection URL',
    description: 'PostgreSQL to use instead of the embedded one.',
    secret: true,
    schema: z.url({ protocol: /^postgres(ql)?$/ }),
  }),
  variable({
    name: 'MONGODB_URI',
    group: 'storage',
    expects: 'a mongodb:// or mongodb+srv:// connection URL',
    description: 'MongoDB to use instead of PostgreSQL.',
    secret: true,
    schema: z.url({ protocol: /^mongodb(\+srv)?$/ }),
  }),
  variable({
    name: 'OLYMPUS_EMBEDDED_PG_PORT',
    group: 'storage',
    expects: 'a TCP port number from 1 to 65535, or 0 for any free port',
    description: 'Port of the embedded PostgreSQL (used when neither DATABASE_URL nor MONGODB_URI is set).',
    schema: z.coerce.number().int().min(0).max(65535),
    defaultValue: '0',
  }),
  variable({
    name: 'OLYMPUS_JOBS_PROCESS_EVERY',
    group: 'jobs',
    expects: 'an interval such as "5 seconds"',
    description: 'How often workers poll for jobs (notifications start most jobs sooner).',
    schema: text,
    defaultValue: '5 seconds',
  }),
  variable({
    name: 'OLYMPUS_JOBS_MAX_CONCURRENCY',
    group: 'jobs',
    expects: 'a whole number (> 0)',
    description: 'Jobs one worker process runs at once.',
    schema: positiveInt,
    defaultValue: '20',
  }),
  variable({
    name: 'OLYMPUS_JOBS_LOCK_LIMIT',
    group: 'jobs',
    expects: 'a whole number (>= 0; 0 means no limit)',
    description: 'Jobs one worker locks ahead per poll.',
    schema: nonNegativeInt,
    defaultValue: '50',
  }),
  variable({
    name: 'OLYMPUS_JOBS_LOCK_LIFETIME_MS',
    group: 'jobs',
    expects: 'a whole number of milliseconds (> 0)',
    description: 'After this long without a heartbeat, another worker may take a job over.',
    schema: positiveInt,
    defaultValue: '600000',
  }),
  variable({
    name: 'OLYMPUS_AGENT_SHELL',
    group: 'jobs',
    expects: 'true or false',
    description:
      "Offers agents whose manifest lists it the run_command tool (shell commands in the project's workspace only).",
    schema: z.enum(['true', 'false']),
    defaultValue: 'false',
  }),
  variable({
    name: 'OLYMPUS_AGENT_SHELL_TIMEOUT_MS',
    group: 'jobs',
    expects: 'a whole number of milliseconds (> 0)',
    description: 'Time limit of one run_command; the command and its children are killed after it.',
    schema: positiveInt,
    defaultValue: '60000',
  }),
  variable({
    name: 'OLYMPUS_SPEND_AUTO_APPROVE',
    group: 'jobs',
    expects: "an amount (>= 0) in the project budget's currency, e.g. 5 or 0.5",
    description:
      'Largest LLM call or external spend that goes ahead without a TO; above it, or past 100% of the budget, a spend checkpoint asks first.',
    schema: z.coerce.number().min(0).max(1_000_000),
    defaultValue: '5',
  }),
  variable({
    name: 'OLYMPUS_PLAN_MAX_MODEL_CALLS',
    group: 'jobs',
    expects: 'a whole number of model calls (> 0)',
    description:
      'Model calls one planning round may spend (ledger entries, repairs included) before it stops and asks a TO with a question checkpoint.',
    schema: positiveInt,
    defaultValue: '6',
  }),
  variable({
    name: 'OLYMPUS_TASK_MAX_MODEL_CALLS',
    group: 'jobs',
    expects: 'a whole number of model calls (> 0)',
    description:
      'Model calls one task may spend (from its last retry) before it stops and asks a TO with a question checkpoint.',
    schema: positiveInt,
    defaultValue: '60',
  }),
  variable({
    name: 'OLYMPUS_CREDENTIAL_LEASE_MINUTES',
    group: 'jobs',
    expects: 'a whole number of minutes (> 0)',
    description: 'How long a credential lease granted on a credential checkpoint lasts.',
    schema: positiveInt,
    defaultValue: '60',
  }),
  variable({
    name: 'OLYMPUS_DEPLOY_COMMAND',
    group: 'jobs',
    expects: 'a shell command',
    description:
      "Runs once in the project's workspace after a TO approves a deploy checkpoint; unset: a TO deploys and marks the task done.",
    schema: text,
  }),
  variable({
    name: 'OLYMPUS_DEPLOY_TIMEOUT_MS',
    group: 'jobs',
    expects: 'a whole number of milliseconds (> 0)',
    description: 'Time limit of the deploy command.',
    schema: positiveInt,
    defaultValue: '900000',
  }),
  variable({
    name: 'OLLAMA_HOST',
    group: 'llm',
    expects: 'an http(s) URL such as http://127.0.0.1:11434',
    description: 'Local LLM server (Ollama).',
    schema: httpUrl,
  }),
  variable({
    name: 'OPENAI_API_KEY',
    group: 'llm',
    expects: 'an API key',
    description: 'Key of the OpenAI-compatible cloud provider.',
    secret: true,
    schema: text,
  }),
  variable({
    name: 'OPENAI_BASE_URL',
    group: 'llm',
    expects: 'an http(s) URL',
    description: 'Base URL of any OpenAI-compatible server (default: OpenAI).',
    schema: httpUrl,
  }),
  variable({
    name: 'OLYMPUS_LLM_TIERS',
    group: 'llm',
    expects: 'a JSON object of tiers, e.g. {"fast":{"ollama":"llama3.2","openai":"gpt-4o-mini"}}',
    description:
      'Model per tier and provider, laid over the built-in fast and reasoning tiers; "prefer": "cloud" tries the cloud first.',
    schema: jsonSetting(tierTableSchema),
  }),
  variable({
    name: 'OLYMPUS_LLM_PRICES',
    group: 'llm',
    expects:
      'a JSON object of model prices in USD per million tokens, e.g. {"gpt-4o":{"input":2.5,"output":10}}',
    description:
      'Prices for the cost ledger, laid over the built-in OpenAI prices; unpriced local models cost 0.',
    schema: jsonSetting(priceTableSchema),
  }),
  variable({
    name: 'OLYMPUS_LLM_TIMEOUT_MS',
    group: 'llm',
    expects: 'a whole number of milliseconds (> 0)',
    description: 'Time limit of one LLM request attempt.',
    schema: positiveInt,
    defaultValue: '60000',
  }),
  variable({
    name: 'OLYMPUS_LLM_MAX_ATTEMPTS',
    group: 'llm',
    expects: 'a whole number from 1 to 10',
    description: 'Attempts per provider on 429, 5xx, timeouts and connection errors before falling back.',
    schema: z.coerce.number().int().min(1).max(10),
    defaultValue: '3',
  }),
  variable({
    name: 'SLACK_BOT_TOKEN',
    group: 'slack',
    expects: 'a bot token (xoxb-…)',
    description: 'Enables the Slack surface.',
    secret: true,
    schema: z.string().regex(/^xoxb-/, 'must start with xoxb-'),
  }),
  variable({
    name: 'SLACK_APP_TOKEN',
    group: 'slack',
    expects: 'an app-level token (xapp-…)',
    description: 'Socket Mode; without it Slack posts to /slack/events.',
    secret: true,
    schema: z.string().regex(/^xapp-/, 'must start with xapp-'),
  }),
  variable({
    name: 'SLACK_SIGNING_SECRET',
    group: 'slack',
    expects: 'the app signing secret',
    description: 'Verifies requests to /slack/events.',
    secret: true,
    schema: text,
  }),
  variable({
    name: 'SLACK_API_URL',
    group: 'slack',
    expects: 'an http(s) URL ending in /api/',
    description: 'Overrides the Slack Web API base URL (tests, Slack-compatible gateways).',
    schema: httpUrl,
  }),
  variable({
    name: 'SLACK_OPS_CHANNEL',
    group: 'slack',
    expects: 'a channel id (C…)',
    description: "The operators' channel that receives checkpoint cards.",
    schema: text,
  }),
  variable({
    name: 'SLACK_TO_USERS',
    group: 'slack',
    expects: 'comma-separated Slack user ids (U…)',
    description: 'Slack users with the Technical Operator role: they may decide checkpoints.',
    schema: z
      .string()
      .trim()
      .regex(/^[UW][A-Z0-9]+(\s*,\s*[UW][A-Z0-9]+)*$/, 'must be Slack user ids separated by commas'),
  }),
  variable({
    name: 'SLACK_ALLOWED_TEAM_IDS',
    group: 'slack',
    expects: 'comma-separated Slack team ids (T…)',
    description:
      'Workspaces whose requests are served; others are acked, dropped and audited (default: the bot token team from auth.test).',
    schema: z
      .string()
      .trim()
      .regex(/^T[A-Z0-9]+(\s*,\s*T[A-Z0-9]+)*$/, 'must be Slack team ids (T…) separated by commas'),
  }),
  variable({
    name: 'SLACK_ALLOWED_ENTERPRISE_IDS',
    group: 'slack',
    expects: 'comma-separated Slack enterprise ids (E…)',
    description:
      'Enterprise Grid organisations a request may name (default: the bot token enterprise from auth.test, if any).',
    schema: z
      .string()
      .trim()
      .regex(/^E[A-Z0-9]+(\s*,\s*E[A-Z0-9]+)*$/, 'must be Slack enterprise ids (E…) separated by commas'),
  }),
  variable({
    name: 'SLACK_TO_USERGROUP',
    group: 'slack',
    expects: 'a Slack user group id (S…)',
    description: 'A user group whose members are Technical Operators too (read with usergroups.users.list).',
    schema: slackUsergroup,
  }),
  variable({
    name: 'SLACK_ESCALATION_GROUP',
    group: 'slack',
    expects: 'a Slack user group id (S…)',
    description: 'The user group mentioned when a checkpoint waits past OLYMPUS_CHECKPOINT_ESCALATE_AFTER.',
    schema: slackUsergroup,
  }),
  variable({
    name: 'SLACK_CLIENTS_CHANNEL',
    group: 'slack',
    expects: 'a channel id (C…)',
    description: "Channel for project threads; without it a project's thread is opened in the client's DM.",
    schema: text,
  }),
  variable({
    name: 'OLYMPUS_CHECKPOINT_REMIND_AFTER',
    group: 'slack',
    expects: 'a duration such as "4 hours"',
    description: 'Wait before a threaded reminder under a pending checkpoint card.',
    schema: duration,
    defaultValue: '4 hours',
  }),
  variable({
    name: 'OLYMPUS_CHECKPOINT_ESCALATE_AFTER',
    group: 'slack',
    expects: 'a duration such as "24 hours"',
    description: 'Wait before the escalation group is mentioned under a pending checkpoint card.',
    schema: duration,
    defaultValue: '24 hours',
  }),
  variable({
    name: 'OLYMPUS_CHECKPOINT_EXPIRE_AFTER',
    group: 'slack',
    expects: 'a duration such as "72 hours"',
    description: 'Wait after which a pending checkpoint expires and the waiting task is told.',
    schema: duration,
    defaultValue: '72 hours',
  }),
  variable({
    name: 'DISCORD_BOT_TOKEN',
    group: 'discord',
    expects: 'a Discord bot token',
    description: 'Enables the Discord surface.',
    secret: true,
    schema: text,
  }),
  variable({
    name: 'DISCORD_API_URL',
    group: 'discord',
    expects: 'an http(s) URL ending in /api, such as https://discord.com/api',
    description: 'Overrides the Discord REST base URL (the gateway URL comes from it too); tests, proxies.',
    schema: httpUrl,
  }),
  variable({
    name: 'DISCORD_GUILD_ID',
    group: 'discord',
    expects: 'a guild (server) id: a Discord snowflake',
    description: 'The server whose projects channel holds one thread per confirmed project.',
    schema: z
      .string()
      .trim()
      .regex(/^\d{5,25}$/, 'must be a Discord id (digits)'),
  }),
  variable({
    name: 'DISCORD_PROJECTS_CHANNEL',
    group: 'discord',
    expects: 'a text channel id: a Discord snowflake',
    description:
      'Channel where each confirmed project gets a thread for replies and digests (unset: DMs only).',
    schema: z
      .string()
      .trim()
      .regex(/^\d{5,25}$/, 'must be a Discord id (digits)'),
  }),
  variable({
    name: 'OLYMPUS_EMAIL_ADDRESS',
    group: 'email',
    expects: 'an email address',
    description: 'The project address clients mail; enables the email surface.',
    schema: z.email(),
  }),
  variable({
    name: 'IMAP_URL',
    group: 'email',
    expects: 'an imap:// or imaps:// URL with user and password',
    description: 'Mailbox that receives client mail.',
    secret: true,
    schema: z.url({ protocol: /^imaps?$/ }),
  }),
  variable({
    name: 'SMTP_URL',
    group: 'email',
    expects: 'an smtp:// or smtps:// URL',
    description: 'Server that sends replies.',
    secret: true,
    schema: z.url({ protocol: /^smtps?$/ }),
  }),
  variable({
    name: 'OLYMPUS_EMAIL_AUTHSERV_ID',
    group: 'email',
    expects: 'the authserv-id of your mail server, e.g. mx.example.com',
    description:
      'Trust only the topmost Authentication-Results header with this id; mail failing DMARC never reaches a project.',
    schema: text,
  }),
  variable({
    name: 'OLYMPUS_EMAIL_VERIFY',
    group: 'email',
    expects: 'one of authentication-results, mailauth',
    description:
      "How a sender is authenticated: trust our server's Authentication-Results (default), or verify DKIM/SPF/DMARC ourselves with mailauth.",
    schema: z.enum(['authentication-results', 'mailauth']),
    defaultValue: 'authentication-results',
  }),
  variable({
    name: 'OLYMPUS_DIGEST_SCHEDULE',
    group: 'core',
    expects: 'a daily time such as 09:00 or "daily 17:30", or off',
    description:
      "When each project's daily status digest is sent, in the client's time zone (the brief's `timezone`, else the client's own, else UTC).",
    schema: z
      .string()
      .trim()
      .regex(/^(?:off|(?:daily\s+)?([01]?\d|2[0-3]):[0-5]\d)$/i, 'a daily time such as 09:00, or off'),
    defaultValue: '09:00',
  }),
  variable({
    name: 'OLYMPUS_EMAIL_MAX_BYTES',
    group: 'email',
    expects: 'a positive whole number of bytes',
    description: 'Largest mail downloaded whole; bigger mail keeps its text and its attachments are dropped.',
    schema: positiveInt,
    defaultValue: '10485760',
  }),
  variable({
    name: 'OLYMPUS_EMAIL_REPLIES_PER_HOUR',
    group: 'email',
    expects: 'a positive whole number',
    description: 'Replies one sender gets per hour at most (stops reply loops between bots).',
    schema: positiveInt,
    defaultValue: '30',
  }),
  variable({
    name: 'OLYMPUS_MASTER_KEY',
    group: 'vault',
    expects: '32 bytes as 64 hex characters or base64',
    description:
      'Key of the local encrypted vault: required on a shared store (DATABASE_URL, MONGODB_URI), the same in every process; generated into the data directory when unset on the embedded store.',
    secret: true,
    schema: z
      .string()
      .refine((value) => /^[0-9a-fA-F]{64}$/.test(value) || Buffer.from(value, 'base64').length === 32, {
        message: 'must be 32 bytes as 64 hex characters or base64',
      }),
  }),
  variable({
    name: 'GCP_PROJECT_ID',
    group: 'vault',
    expects: 'a Google Cloud project id',
    description: 'Use Google Secret Manager as the vault.',
    schema: text,
  }),
];

export const VARIABLE_NAMES: ReadonlySet<string> = new Set(VARIABLES.map((spec) => spec.name));

export function isSecretVariable(name: string): boolean {
  return VARIABLES.some((spec) => spec.name === name && spec.secret === true);
}
