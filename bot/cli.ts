#!/usr/bin/env -S node --max-semi-space-size=4
/** The `olympus` command. */
import { Command } from 'commander';
import { errorMessage, hasCode } from '../common/errors.js';
import { createLogger } from '../common/logging/logger.js';
import { SecretRedactor } from '../common/logging/redactor.js';
import { registerOpsCommands } from './commands/ops-commands.js';
import { registerIdentityCommands } from './commands/identity-commands.js';
import { sendChatMessage } from './console/chat-client.js';
import { createIdentityToken } from './console/console-access.js';
import { loadConfig, type Config } from './config/load-config.js';
import { describeConfiguration, runDoctor } from './doctor/doctor.js';
import { startOlympus, type RunMode } from './main.js';
import { lowerPriority } from './process-priority.js';
import { OLYMPUS_VERSION } from './version.js';

const EXIT_CONFIG = 2;

function write(stream: NodeJS.WriteStream, text: string): void {
  stream.write(`${text}\n`);
}

function readConfig(): Config {
  try {
    return loadConfig({ env: process.env, isTTY: process.stdout.isTTY === true });
  } catch (error) {
    if (hasCode(error, 'CONFIG_INVALID')) {
      write(process.stderr, `olympus: ${errorMessage(error)}`);
      process.exit(EXIT_CONFIG);
    }
    throw error;
  }
}

async function run(mode: RunMode): Promise<void> {
  const config = readConfig();
  const redactor = new SecretRedactor(config.secrets);
  const logger = createLogger({ level: config.log.level, format: config.log.format, redactor });
  let stopping = false;
  let olympus: Awaited<ReturnType<typeof startOlympus>> | null = null;
  const shutdown = (reason: string, code: number) => {
    if (stopping) {
      logger.warn('second stop request: exiting now', { reason });
      process.exit(1);
    }
    stopping = true;
    logger.info('stopping', { reason });
    void (olympus?.stop() ?? Promise.resolve()).then(
      () => {
        logger.info('stopped');
        process.exit(code);
      },
      (error: unknown) => {
        logger.error('stop failed', { error: errorMessage(error) });
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT', 0));
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  process.on('unhandledRejection', (error) => {
    logger.error('unhandled rejection', { error: errorMessage(error) });
    shutdown('unhandled rejection', 1);
  });
  try {
    olympus = await startOlympus(config, { mode, logger, redactor });
  } catch (error) {
    logger.error('olympus could not start', { error: errorMessage(error) });
    // A setting to fix (a wrong vault key included) is told on stderr too, and exits as bad configuration.
    const misconfigured = hasCode(error, 'CONFIG_INVALID') || hasCode(error, 'VAULT_KEY_INVALID');
    if (misconfigured) write(process.stderr, `olympus: ${redactor.redactString(errorMessage(error))}`);
    process.exit(misconfigured ? EXIT_CONFIG : 1);
  }
  if (mode === 'worker') {
    try {
      const lowered = lowerPriority(config.workerNice);
      if (lowered) logger.info('worker priority lowered', { nice: lowered.to, from: lowered.from });
    } catch (error) {
      logger.warn('could not lower the worker priority', { error: errorMessage(error) });
    }
  }
  if (stopping) await olympus.stop();
}

async function doctor(): Promise<void> {
  const config = readConfig();
  const logger = createLogger({
    level: 'error',
    format: 'json',
    redactor: new SecretRedactor(config.secrets),
  });
  write(process.stdout, 'Configuration:');
  for (const line of describeConfiguration(config)) write(process.stdout, line);
  write(process.stdout, '\nChecks:');
  const lines = await runDoctor(config, logger);
  const redactor = new SecretRedactor(config.secrets);
  for (const line of lines) {
    const mark = line.status === 'ok' ? 'ok  ' : line.status === 'failed' ? 'FAIL' : '--  ';
    write(process.stdout, `  ${mark} ${line.part}: ${redactor.redactString(line.detail)}`);
  }
  const failed = lines.filter((line) => line.status === 'failed');
  if (failed.length > 0) {
    write(
      process.stderr,
      `\nolympus doctor: ${failed.length} configured part(s) unreachable: ${failed.map((l) => l.part).join(', ')}`,
    );
    process.exitCode = 1;
  }
}

async function chat(
  words: string[],
  options: { as: string; json?: boolean; messageId?: string },
): Promise<void> {
  const config = readConfig();
  const text = words.join(' ').trim();
  if (text.length === 0) {
    write(
      process.stderr,
      'olympus chat: give the message to send, e.g. olympus chat --as you@example.com "hello"',
    );
    process.exit(1);
  }
  try {
    const answer = await sendChatMessage({
      baseUrl: config.http.url,
      as: options.as,
      text,
      ...(options.messageId ? { messageId: options.messageId } : {}),
      token: consoleToken(config),
    });
    write(process.stdout, options.json ? JSON.stringify(answer, null, 2) : answer.reply);
  } catch (error) {
    write(process.stderr, `olympus chat: ${errorMessage(error)}`);
    process.exit(1);
  }
}

/** The token the command-line clients log in with: OLYMPUS_CONSOLE_TOKEN, when set. */
function consoleToken(config: Config): string | null {
  const value = config.resolved.get('OLYMPUS_CONSOLE_TOKEN')?.value;
  return typeof value === 'string' ? value : null;
}

function createToken(options: { as: string }): void {
  try {
    const { token, entry } = createIdentityToken(options.as);
    write(process.stdout, `token: ${token}`);
    write(process.stdout, `OLYMPUS_CONSOLE_TOKENS entry: ${entry}`);
    write(
      process.stderr,
      'Give the token to its owner (it is shown once and not stored); add the entry to OLYMPUS_CONSOLE_TOKENS ' +
        '(comma-separated) and restart Olympus.',
    );
  } catch (error) {
    write(process.stderr, `olympus tokens create: ${errorMessage(error)}`);
    process.exit(1);
  }
}

const program = new Command('olympus')
  .description('Olympus: chat-ops for AI agents with human operators in the loop. Hermes is its concierge.')
  .version(OLYMPUS_VERSION);

program
  .command('start')
  .description('Run everything in one process: HTTP server (health, surfaces) and job workers.')
  .action(() => run('start'));

program
  .command('bot')
  .description('Run the surfaces and the HTTP server without job workers (pair with `olympus worker`).')
  .action(() => run('bot'));

program
  .command('worker')
  .description('Run job workers only (scale out by starting more; they share the store).')
  .action(() => run('worker'));

program
  .command('doctor')
  .description('Print the resolved configuration (secrets masked) and check every configured part.')
  .action(doctor);

program
  .command('chat')
  .description("Talk to Hermes as a client through the running server's console API; prints the reply.")
  .requiredOption('--as <email>', 'who is writing: an email address (or a console name)')
  .option('--json', 'print the whole answer (conversation id, state, draft brief, project id) as JSON')
  .option('--message-id <id>', 'idempotency key: sending the same id again returns the same reply')
  .argument('<text...>', 'the message')
  .action(chat);

program
  .command('tokens')
  .description('Console logins.')
  .command('create')
  .description('Make a console token for one identity; prints it and its OLYMPUS_CONSOLE_TOKENS entry.')
  .requiredOption('--as <handle>', 'whose token: email:<address>, console:<name>, slack:U… or discord:<id>')
  .action(createToken);

const opsContext = {
  baseUrl: () => readConfig().http.url,
  token: () => consoleToken(readConfig()),
  out: (text: string) => write(process.stdout, text),
  err: (text: string) => write(process.stderr, text),
};
registerOpsCommands(program, opsContext);
registerIdentityCommands(program, opsContext);

program.parseAsync(process.argv).catch((error: unknown) => {
  write(process.stderr, `olympus: ${errorMessage(error)}`);
  process.exit(1);
});
