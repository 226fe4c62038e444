/**
 * The server's root pino logger. Every line passes through redaction (secrets, phone numbers);
 * plugins and calls get children of it.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { maskPhoneNumbers, redact } from './redact.js';

export interface LoggerOptions {
  level: string;
  /** Where lines go; stdout by default. Tests pass a stream to read them back. */
  destination?: DestinationStream;
  base?: Record<string, unknown>;
}

export function createLogger(options: LoggerOptions): PinoLogger {
  return redactChildBindings(pino(
    {
      level: options.level,
      base: options.base ?? { service: 'vapi-cn' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (object) => redact(object) as Record<string, unknown>,
      },
      serializers: {
        err: (error: Error) => {
          const serialized = pino.stdSerializers.err(error);
          return { ...serialized, message: maskPhoneNumbers(serialized.message), stack: maskPhoneNumbers(serialized.stack) };
        },
      },
      hooks: {
        logMethod(args, method) {
          for (let i = 0; i < args.length; i++) {
            if (typeof args[i] === 'string') args[i] = maskPhoneNumbers(args[i] as string);
          }
          return method.apply(this, args as Parameters<typeof method>);
        },
      },
    },
    options.destination,
  ));
}

/**
 * pino serialises a child's bindings once, without the log formatter: redact them on the way in,
 * for children of children too.
 */
function redactChildBindings(logger: PinoLogger): PinoLogger {
  const child = logger.child.bind(logger);
  logger.child = ((bindings: Record<string, unknown>, childOptions?: object) =>
    redactChildBindings(child(redact(bindings) as Record<string, unknown>, childOptions))) as unknown as PinoLogger['child'];
  return logger;
}
