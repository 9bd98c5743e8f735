/**
 * The configuration module: the one place that reads the environment. Values come from environment
 * variables, then an optional JSON file (`OLYMPUS_CONFIG`, default ./olympus.config.json), then defaults.
 * Every value is validated; a bad start names each bad or missing variable and what it expects.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { OlympusError } from '../../common/errors.js';
import { VARIABLES, VARIABLE_NAMES, type VariableSpec } from './variables.js';
import { buildConfig, type Config, type ResolvedValue, type ValueSource } from './config.js';

export type { Config } from './config.js';

export interface LoadConfigOptions {
  env: Record<string, string | undefined>;
  cwd?: string;
  /** Whether stdout is a terminal (decides the `auto` log format). */
  isTTY?: boolean;
}

export function loadConfig(options: LoadConfigOptions): Config {
  const cwd = options.cwd ?? process.cwd();
  const problems: string[] = [];
  const file = readConfigFile(options.env, cwd, problems);
  const resolved = new Map<string, ResolvedValue>();

  for (const spec of VARIABLES) {
    const raw = pickRaw(spec, options.env, file);
    if (raw === undefined) continue;
    const parsed = spec.schema.safeParse(raw.value);
    if (parsed.success) {
      resolved.set(spec.name, { value: parsed.data, source: raw.source });
    } else {
      problems.push(describeProblem(spec, raw, parsed.error.issues[0]?.message));
    }
  }
  problems.push(...crossChecks(resolved));
  if (problems.length > 0) {
    throw new OlympusError(
      'CONFIG_INVALID',
      `Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
      {
        details: { problems },
        userMessage: 'Olympus is misconfigured; an operator must fix its settings.',
      },
    );
  }
  return buildConfig(resolved, { cwd, isTTY: options.isTTY ?? false });
}

function readConfigFile(
  env: Record<string, string | undefined>,
  cwd: string,
  problems: string[],
): Record<string, unknown> {
  const explicit = nonEmpty(env.OLYMPUS_CONFIG);
  const filePath = path.resolve(cwd, explicit ?? 'olympus.config.json');
  if (!existsSync(filePath)) {
    if (explicit !== undefined) problems.push(`OLYMPUS_CONFIG: file ${filePath} does not exist`);
    return {};
  }
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(filePath, 'utf8'));
  } catch (error) {
    problems.push(`${filePath}: not valid JSON (${(error as Error).message})`);
    return {};
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    problems.push(`${filePath}: expected a JSON object whose keys are variable names`);
    return {};
  }
  for (const key of Object.keys(data)) {
    if (!VARIABLE_NAMES.has(key)) problems.push(`${filePath}: unknown setting ${key}`);
  }
  return data as Record<string, unknown>;
}

function pickRaw(
  spec: VariableSpec,
  env: Record<string, string | undefined>,
  file: Record<string, unknown>,
): { value: unknown; source: ValueSource } | undefined {
  const fromEnv = nonEmpty(env[spec.name]);
  if (fromEnv !== undefined) return { value: fromEnv, source: 'env' };
  const fromFile = file[spec.name];
  if (fromFile !== undefined && fromFile !== null && fromFile !== '') {
    return { value: typeof fromFile === 'number' ? String(fromFile) : fromFile, source: 'file' };
  }
  if (spec.defaultValue !== undefined) return { value: spec.defaultValue, source: 'default' };
  return undefined;
}

function describeProblem(
  spec: VariableSpec,
  raw: { value: unknown; source: ValueSource },
  detail?: string,
): string {
  const where = raw.source === 'file' ? ' (from the config file)' : '';
  const shown = spec.secret ? 'a value that is not valid' : JSON.stringify(raw.value);
  const why = detail && !detail.startsWith('Invalid input') ? ` (${detail})` : '';
  return `${spec.name}${where}: expected ${spec.expects}, got ${shown}${why}`;
}

function crossChecks(resolved: Map<string, ResolvedValue>): string[] {
  const has = (name: string) => resolved.has(name);
  const problems: string[] = [];
  if (has('DATABASE_URL') && has('MONGODB_URI')) {
    problems.push('DATABASE_URL and MONGODB_URI: set one store, not both');
  }
  if ((has('DATABASE_URL') || has('MONGODB_URI')) && !has('OLYMPUS_MASTER_KEY') && !has('GCP_PROJECT_ID')) {
    const store = has('DATABASE_URL') ? 'DATABASE_URL' : 'MONGODB_URI';
    problems.push(
      `OLYMPUS_MASTER_KEY: required with ${store}: the vault lives in the shared store and every process on it ` +
        'must hold the same key (32 bytes as 64 hex characters, e.g. `openssl rand -hex 32`), ' +
        'or set GCP_PROJECT_ID to keep secrets in Google Secret Manager',
    );
  }
  if (has('SLACK_BOT_TOKEN') && !has('SLACK_APP_TOKEN') && !has('SLACK_SIGNING_SECRET')) {
    problems.push('SLACK_APP_TOKEN or SLACK_SIGNING_SECRET: one is required with SLACK_BOT_TOKEN');
  }
  if ((has('SLACK_APP_TOKEN') || has('SLACK_SIGNING_SECRET')) && !has('SLACK_BOT_TOKEN')) {
    problems.push('SLACK_BOT_TOKEN: required when SLACK_APP_TOKEN or SLACK_SIGNING_SECRET is set');
  }
  const email = ['OLYMPUS_EMAIL_ADDRESS', 'IMAP_URL', 'SMTP_URL'];
  if (email.some(has)) {
    for (const name of email.filter((n) => !has(n))) {
      problems.push(`${name}: required for the email surface (set all of ${email.join(', ')})`);
    }
  }
  return problems;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
