/** Bolt and the Web API client log through Olympus's logger (never the console). */
import bolt from '@slack/bolt';
import type { Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../../common/logging/logger.js';

export function slackLogger(logger: Logger): SlackLogger {
  let level = bolt.LogLevel.WARN;
  const line = (parts: unknown[]) =>
    parts.map((part) => (typeof part === 'string' ? part : String(part))).join(' ');
  return {
    debug: (...parts: unknown[]) => logger.debug(line(parts)),
    info: (...parts: unknown[]) => logger.debug(line(parts)),
    warn: (...parts: unknown[]) => logger.warn(line(parts)),
    error: (...parts: unknown[]) => logger.error(line(parts)),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}
