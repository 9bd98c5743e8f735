import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { loadConfig } from '../../bot/config/load-config.js';
import { hasCode, type OlympusError } from '../../common/errors.js';

const MASTER_KEY = 'ab'.repeat(32);
const emptyDir = () => mkdtempSync(path.join(tmpdir(), 'olympus-config-'));

function configError(env: Record<string, string>, cwd = emptyDir()): OlympusError {
  try {
    loadConfig({ env, cwd });
  } catch (error) {
    expect(hasCode(error, 'CONFIG_INVALID')).toBe(true);
    return error as OlympusError;
  }
  throw new Error('expected loadConfig to fail');
}

describe('configuration', () => {
  test('defaults need no configuration at all', () => {
    const cwd = emptyDir();
    const config = loadConfig({ env: {}, cwd });
    expect(config.http).toEqual({
      host: '127.0.0.1',
      port: 3000,
      workerPort: 0,
      url: 'http://127.0.0.1:3000',
    });
    expect(config.workerNice).toBe(10);
    expect(config.store).toEqual({ kind: 'embedded', dataDir: path.join(cwd, 'data'), port: 0 });
    expect(config.log).toEqual({ level: 'info', format: 'json' });
    expect(config.slack).toBeNull();
    expect(config.llm).toMatchObject({ ollamaHost: null, openai: null });
    expect(config.secrets).toEqual([]);
  });

  test('a terminal gets readable logs unless in production', () => {
    expect(loadConfig({ env: {}, cwd: emptyDir(), isTTY: true }).log.format).toBe('pretty');
    expect(loadConfig({ env: { NODE_ENV: 'production' }, cwd: emptyDir(), isTTY: true }).log.format).toBe(
      'json',
    );
  });

  test('an invalid port names the variable, what it expects and what it got', () => {
    const error = configError({ OLYMPUS_HTTP_PORT: 'abc' });
    expect(error.message).toContain(
      'OLYMPUS_HTTP_PORT: expected a TCP port number from 1 to 65535, got "abc"',
    );
  });

  test('every bad variable is reported at once', () => {
    const error = configError({
      OLYMPUS_HTTP_PORT: '70000',
      OLYMPUS_LOG_LEVEL: 'loud',
      DATABASE_URL: 'mysql://x',
    });
    expect(error.details.problems).toHaveLength(3);
    expect(error.message).toContain('OLYMPUS_LOG_LEVEL');
    expect(error.message).toContain('DATABASE_URL: expected a postgres:// or postgresql:// connection URL');
  });

  test('the Slack workspace allow-list is read as id lists and validated', () => {
    const slack = {
      SLACK_BOT_TOKEN: 'xoxb-1-2-3',
      SLACK_SIGNING_SECRET: 'abcdef',
    };
    const config = loadConfig({
      env: { ...slack, SLACK_ALLOWED_TEAM_IDS: 'T0001, T0PARTNER', SLACK_ALLOWED_ENTERPRISE_IDS: 'E0ORG' },
      cwd: emptyDir(),
    });
    expect(config.slack).toMatchObject({
      allowedTeamIds: ['T0001', 'T0PARTNER'],
      allowedEnterpriseIds: ['E0ORG'],
    });
    expect(loadConfig({ env: slack, cwd: emptyDir() }).slack).toMatchObject({
      allowedTeamIds: [],
      allowedEnterpriseIds: [],
    });
    const error = configError({
      ...slack,
      SLACK_ALLOWED_TEAM_IDS: 'U0001',
      SLACK_ALLOWED_ENTERPRISE_IDS: 'T1',
    });
    expect(error.message).toContain('SLACK_ALLOWED_TEAM_IDS: expected comma-separated Slack team ids (T…)');
    expect(error.message).toContain('SLACK_ALLOWED_ENTERPRISE_IDS');
  });

  test('a secret value is never echoed in the error', () => {
    const error = configError({
      SLACK_BOT_TOKEN: 'not-a-bot-token-1234',
      SLACK_SIGNING_SECRET: 's3cr3t-value',
    });
    expect(error.message).toContain('SLACK_BOT_TOKEN');
    expect(error.message).not.toContain('not-a-bot-token-1234');
  });

  test('parts that need each other are checked together', () => {
    expect(configError({ DATABASE_URL: 'postgres://a/b', MONGODB_URI: 'mongodb://c/d' }).message).toContain(
      'set one store, not both',
    );
    expect(configError({ SLACK_BOT_TOKEN: 'xoxb-1-2-3' }).message).toContain(
      'SLACK_APP_TOKEN or SLACK_SIGNING_SECRET',
    );
    expect(configError({ OLYMPUS_EMAIL_ADDRESS: 'hermes@example.com' }).message).toContain(
      'IMAP_URL: required',
    );
  });

  test('selects the store from the environment', () => {
    const cwd = emptyDir();
    expect(
      loadConfig({
        env: { DATABASE_URL: 'postgres://u:pw1234@db:5432/o', OLYMPUS_MASTER_KEY: MASTER_KEY },
        cwd,
      }).store,
    ).toEqual({
      kind: 'postgres',
      url: 'postgres://u:pw1234@db:5432/o',
    });
    expect(
      loadConfig({ env: { MONGODB_URI: 'mongodb://m:27017/o', GCP_PROJECT_ID: 'olympus-prod' }, cwd }).store
        .kind,
    ).toBe('mongo');
  });

  test('collects secret values, including passwords inside URLs', () => {
    const config = loadConfig({
      env: {
        DATABASE_URL: 'postgres://u:p%40ssword@db/o',
        OLYMPUS_MASTER_KEY: MASTER_KEY,
        SLACK_BOT_TOKEN: 'xoxb-123-456',
        SLACK_SIGNING_SECRET: 'abcdef',
      },
      cwd: emptyDir(),
    });
    expect(config.secrets).toEqual(
      expect.arrayContaining([
        'postgres://u:p%40ssword@db/o',
        'p%40ssword',
        'p@ssword',
        'xoxb-123-456',
        'abcdef',
        MASTER_KEY,
      ]),
    );
  });

  test('a shared store needs OLYMPUS_MASTER_KEY (or GCP_PROJECT_ID): every process must open one vault', () => {
    const stores: Record<string, string>[] = [
      { DATABASE_URL: 'postgres://a/b' },
      { MONGODB_URI: 'mongodb://c/d' },
    ];
    for (const store of stores) {
      const name = Object.keys(store)[0]!;
      const error = configError(store);
      expect(error.message).toContain(`OLYMPUS_MASTER_KEY: required with ${name}`);
      expect(error.message).toContain('or set GCP_PROJECT_ID');
      expect(
        loadConfig({ env: { ...store, OLYMPUS_MASTER_KEY: MASTER_KEY }, cwd: emptyDir() }).vault,
      ).toEqual({
        masterKey: MASTER_KEY,
        gcpProjectId: null,
      });
      expect(
        loadConfig({ env: { ...store, GCP_PROJECT_ID: 'olympus-prod' }, cwd: emptyDir() }).vault,
      ).toEqual({
        masterKey: null,
        gcpProjectId: 'olympus-prod',
      });
    }
    // A malformed key is named without its value; the embedded default still needs none.
    const malformed = configError({ DATABASE_URL: 'postgres://a/b', OLYMPUS_MASTER_KEY: 'short-key-x' });
    expect(malformed.message).toContain('OLYMPUS_MASTER_KEY: expected 32 bytes');
    expect(malformed.message).not.toContain('short-key-x');
    expect(loadConfig({ env: {}, cwd: emptyDir() }).vault).toEqual({ masterKey: null, gcpProjectId: null });
  });

  test('reads olympus.config.json, with the environment taking precedence', () => {
    const cwd = emptyDir();
    writeFileSync(
      path.join(cwd, 'olympus.config.json'),
      JSON.stringify({ OLYMPUS_HTTP_PORT: 4100, OLYMPUS_LOG_LEVEL: 'debug' }),
    );
    const config = loadConfig({ env: { OLYMPUS_LOG_LEVEL: 'warn' }, cwd });
    expect(config.http.port).toBe(4100);
    expect(config.log.level).toBe('warn');
    expect(config.resolved.get('OLYMPUS_HTTP_PORT')?.source).toBe('file');
  });

  test('rejects unknown keys and bad JSON in the config file', () => {
    const cwd = emptyDir();
    writeFileSync(path.join(cwd, 'olympus.config.json'), JSON.stringify({ OLYMPUS_HTTP_PROT: 1 }));
    expect(configError({}, cwd).message).toContain('unknown setting OLYMPUS_HTTP_PROT');
    writeFileSync(path.join(cwd, 'olympus.config.json'), '{ nope');
    expect(configError({}, cwd).message).toContain('not valid JSON');
    expect(configError({ OLYMPUS_CONFIG: 'missing.json' }).message).toContain('OLYMPUS_CONFIG: file');
  });
});
