import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

/** Options for `createLogger`. */
export interface LoggerOptions {
  /** Process or component name, bound as `app` on every line. */
  name: string;
  /** @default 'info' */
  level?: string;
}

/**
 * The one root logger of a process. Child loggers are bound once per scope
 * (`log.child({ eventId })`). Tokens, passwords and authorization headers are
 * redacted wherever they appear.
 */
export function createLogger({ name, level = 'info' }: LoggerOptions): Logger {
  return pino({
    name,
    level,
    base: { app: name, pid: process.pid },
    redact: {
      paths: [
        'token',
        '*.token',
        'password',
        '*.password',
        'authorization',
        '*.authorization',
        'req.headers.authorization',
        'headers.authorization',
        'jwtSecret',
        '*.jwtSecret',
      ],
      censor: '[redacted]',
    },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
