/**
 * The store accepts any logger with level methods (winston, pino, console-like) and never requires one:
 * without a logger, nothing is written anywhere.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type StoreLog = Record<LogLevel, (message: string, meta?: Record<string, unknown>) => void>;

export function toStoreLog(logger: unknown): StoreLog {
  const call = (level: LogLevel) => (message: string, meta?: Record<string, unknown>) => {
    if (typeof logger !== 'object' || logger === null) return;
    const method = (logger as Partial<Record<LogLevel, unknown>>)[level];
    if (typeof method !== 'function') return;
    try {
      (method as (message: string, meta?: Record<string, unknown>) => void).call(logger, message, meta ?? {});
    } catch {
      // A broken logger must not break storage.
    }
  };
  return { debug: call('debug'), info: call('info'), warn: call('warn'), error: call('error') };
}
