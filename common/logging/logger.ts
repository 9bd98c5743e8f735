/**
 * The only way out for diagnostics: winston, structured, JSON in production and readable in a terminal,
 * with every line passed through the secret redactor.
 */
import winston from 'winston';
import type { SecretRedactor } from './redactor.js';

export type Logger = winston.Logger;

export interface LoggerOptions {
  level: string;
  format: 'json' | 'pretty';
  redactor: SecretRedactor;
  /** Defaults to stdout; tests pass their own stream. */
  stream?: NodeJS.WritableStream;
  defaultMeta?: Record<string, unknown>;
}

/** Redacts the message and every metadata field of a log entry, keeping winston's symbol keys. */
function redactFormat(redactor: SecretRedactor): winston.Logform.Format {
  return winston.format((info) => {
    for (const key of Object.keys(info)) {
      if (key !== 'level') info[key] = redactor.redactField(key, info[key]);
    }
    return info;
  })();
}

export function createLogger(options: LoggerOptions): Logger {
  const redaction = redactFormat(options.redactor);
  const format =
    options.format === 'json'
      ? winston.format.combine(
          winston.format.errors({ stack: true }),
          winston.format.timestamp(),
          redaction,
          winston.format.json(),
        )
      : winston.format.combine(
          winston.format.errors({ stack: true }),
          winston.format.timestamp({ format: 'HH:mm:ss.SSS' }),
          redaction,
          winston.format.colorize(),
          winston.format.printf(({ level, message, timestamp, ...meta }) => {
            const rest = Object.keys(meta).length > 0 ? ` ${JSON.stringify(meta)}` : '';
            return `${String(timestamp)} ${level} ${String(message)}${rest}`;
          }),
        );
  return winston.createLogger({
    level: options.level,
    format,
    defaultMeta: options.defaultMeta,
    transports: [new winston.transports.Stream({ stream: options.stream ?? process.stdout })],
  });
}

/** A logger that writes nowhere, for tests and library callers that pass none. */
export function createSilentLogger(): Logger {
  return winston.createLogger({
    silent: true,
    transports: [new winston.transports.Console({ silent: true })],
  });
}
