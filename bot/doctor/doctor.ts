/**
 * `olympus doctor`: prints the resolved configuration with secrets masked, then checks the store, the LLM
 * providers and every configured surface, one line each. Fails when a configured part is unreachable.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { errorMessage } from '../../common/errors.js';
import type { Logger } from '../../common/logging/logger.js';
import { checkProviders } from '../../agents/llm/create-llm-router.js';
import { openStore } from '../../storage/open-store.js';
import type { Config } from '../config/load-config.js';
import { VARIABLES } from '../config/variables.js';
import { withTimeout } from '../http.js';
import { probeHttp, probeTcp, type ProbeResult } from './probes.js';

export interface DoctorLine {
  part: string;
  status: 'ok' | 'failed' | 'not configured';
  detail: string;
}

const TIMEOUT_MS = 5000;

export function describeConfiguration(config: Config): string[] {
  return VARIABLES.map((spec) => {
    const entry = config.resolved.get(spec.name);
    if (!entry) return `  ${spec.name} = (unset)`;
    const value = spec.secret ? '******' : String(entry.value);
    return `  ${spec.name} = ${value}  [${entry.source}]`;
  });
}

export async function runDoctor(config: Config, logger: Logger): Promise<DoctorLine[]> {
  return [
    await checkStore(config, logger),
    ...(await checkLlm(config)),
    await optional('slack', config.slack, (slack) =>
      probeHttp(
        `${(slack.apiUrl ?? 'https://slack.com/api/').replace(/\/?$/, '/')}auth.test`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${slack.botToken}` },
        },
        TIMEOUT_MS,
      ),
    ),
    await optional('discord', config.discord, (discord) =>
      probeHttp(
        `${(discord.apiUrl ?? 'https://discord.com/api').replace(/\/$/, '')}/v10/users/@me`,
        { headers: { authorization: `Bot ${discord.botToken}` } },
        TIMEOUT_MS,
      ),
    ),
    await optional('email imap', config.email, (email) =>
      probeTcp(email.imapUrl, email.imapUrl.startsWith('imaps') ? 993 : 143, TIMEOUT_MS),
    ),
    await optional('email smtp', config.email, (email) =>
      probeTcp(email.smtpUrl, email.smtpUrl.startsWith('smtps') ? 465 : 587, TIMEOUT_MS),
    ),
  ];
}

async function checkLlm(config: Config): Promise<DoctorLine[]> {
  const checks = await checkProviders(config, { timeoutMs: TIMEOUT_MS });
  const byName = new Map(checks.map((check) => [check.provider, check]));
  return (['ollama', 'openai'] as const).map((provider) => {
    const check = byName.get(provider);
    if (!check) return { part: `llm ${provider}`, status: 'not configured', detail: 'skipped' };
    return {
      part: `llm ${provider} (${check.locality})`,
      status: check.ok ? 'ok' : 'failed',
      detail: check.detail,
    };
  });
}

async function checkStore(config: Config, logger: Logger): Promise<DoctorLine> {
  if (config.store.kind === 'embedded') {
    // Starting a second server on a data directory in use would fail; report what is there instead.
    const dir = path.join(config.store.dataDir, 'postgres');
    const initialised = existsSync(path.join(dir, 'PG_VERSION'));
    const running = existsSync(path.join(dir, 'postmaster.pid'));
    return {
      part: 'store',
      status: 'ok',
      detail: `embedded PostgreSQL, data in ${dir} (${initialised ? 'initialised' : 'created on first start'}${running ? ', in use by a running Olympus' : ''})`,
    };
  }
  const started = Date.now();
  let opened: Awaited<ReturnType<typeof openStore>> | null = null;
  try {
    opened = await openStore(config.store, logger);
    await withTimeout(opened.store.ping(), TIMEOUT_MS, `no answer within ${TIMEOUT_MS} ms`);
    return {
      part: 'store',
      status: 'ok',
      detail: `${opened.description} answered in ${Date.now() - started} ms`,
    };
  } catch (error) {
    const where = config.store.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : 'MongoDB (MONGODB_URI)';
    return { part: 'store', status: 'failed', detail: `${where}: ${errorMessage(error)}` };
  } finally {
    await opened?.close().catch(() => undefined);
  }
}

async function optional<T>(
  part: string,
  settings: T | null,
  probe: (settings: T) => Promise<ProbeResult>,
): Promise<DoctorLine> {
  if (settings === null) return { part, status: 'not configured', detail: 'skipped' };
  const result = await probe(settings);
  return { part, status: result.ok ? 'ok' : 'failed', detail: result.detail };
}
