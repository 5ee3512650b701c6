/** Structured fields attached to a log line. */
export type LogFields = Record<string, string | number | boolean | undefined>;

/**
 * Where tickwire logs: message first, structured fields second. Loggers that take the fields
 * first (pino, bunyan) fit through {@link fieldsFirstLogger}.
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

/** Log level names, quietest last. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 };

/**
 * A console logger writing one line per event: `tickwire <level> <message> key=value…`.
 * Debug (per-packet) lines are off unless asked for.
 */
export function consoleLogger(level: LogLevel = 'info'): Logger {
  const threshold = ORDER[level];
  const write = (at: Exclude<LogLevel, 'silent'>) => (message: string, fields?: LogFields) => {
    if (ORDER[at] < threshold) return;
    const tail = fields
      ? Object.entries(fields)
          .filter(([, v]) => v !== undefined)
          .map(([k, v]) => ` ${k}=${typeof v === 'string' && /\s/.test(v) ? JSON.stringify(v) : v}`)
          .join('')
      : '';
    const line = `tickwire ${at} ${message}${tail}`;
    if (at === 'error') console.error(line);
    else if (at === 'warn') console.warn(line);
    else console.log(line);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}

/** The shape of pino-style loggers: structured fields first, then the message. */
export interface FieldsFirstLogger {
  debug(fields: LogFields, message: string): void;
  info(fields: LogFields, message: string): void;
  warn(fields: LogFields, message: string): void;
  error(fields: LogFields, message: string): void;
}

/** tickwire's {@link Logger} over a pino-style logger: `createServer(…, { logger: fieldsFirstLogger(pino()) })`. */
export function fieldsFirstLogger(target: FieldsFirstLogger): Logger {
  return {
    debug: (message, fields) => target.debug(fields ?? {}, message),
    info: (message, fields) => target.info(fields ?? {}, message),
    warn: (message, fields) => target.warn(fields ?? {}, message),
    error: (message, fields) => target.error(fields ?? {}, message),
  };
}

/** A logger that drops everything (tests, benchmarks). */
export const silentLogger: Logger = consoleLogger('silent');
