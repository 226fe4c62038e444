/**
 * The Logger a media worker's peers log through: each line goes to the main thread, which writes
 * it with the plugin's pino logger (so worker lines carry the same bindings, redaction and level).
 * Errors are sent as plain data with their code and fix.
 */
import type { LogFn, Logger } from '@vapi-cn/sdk-plugin-api';
import { toPlainError, type FromWorker, type LogLevelName } from './protocol.js';

const LEVELS: readonly LogLevelName[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'];
const RANK: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };

export function workerLogger(post: (message: FromWorker) => void, level: string, id?: number, bindings: Record<string, unknown> = {}): Logger {
  const threshold = RANK[level] ?? RANK.info!;
  const make = (name: LogLevelName): LogFn =>
    ((first: unknown, msg?: unknown) => {
      // Lines under the level are dropped here, not carried across threads for nothing.
      if (RANK[name]! < threshold) return;
      const fields: Record<string, unknown> = { ...bindings };
      let text = '';
      if (typeof first === 'string') text = first;
      else if (first && typeof first === 'object') {
        for (const [key, value] of Object.entries(first)) fields[key] = value instanceof Error ? toPlainError(value) : value;
        if (typeof msg === 'string') text = msg;
      }
      post({ op: 'log', id, level: name, fields, msg: text });
    }) as LogFn;
  const logger = { level } as Logger;
  for (const name of LEVELS) logger[name] = make(name);
  logger.child = (more) => workerLogger(post, level, id, { ...bindings, ...more });
  return logger;
}
