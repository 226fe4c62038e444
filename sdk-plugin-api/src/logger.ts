/**
 * The logger every plugin receives: a pino child logger. Log objects first, message second:
 * `log.info({ callId }, 'call answered')`. Secrets and phone numbers are redacted by the server,
 * but do not log them on purpose. Never log per audio frame.
 */
export interface LogFn {
  (obj: object, msg?: string, ...args: unknown[]): void;
  (msg: string, ...args: unknown[]): void;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Logger {
  level: string;
  fatal: LogFn;
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
  trace: LogFn;
  /** A logger whose every line carries `bindings` (e.g. `{ callId }`). */
  child(bindings: Record<string, unknown>): Logger;
}
