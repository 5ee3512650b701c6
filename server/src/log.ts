import { type Logger as Pino, pino } from 'pino';
import type { Logger } from 'tickwire';

// tickwire does not export its `LogFields` type; derive it from the interface it does export.
type LogFields = Parameters<Logger['info']>[1];

/** The demo's structured log: JSON lines on stdout. */
export function createLog(level: string): Pino {
  return pino({ level, base: { service: 'tickwire-demo' } });
}

/**
 * tickwire's {@link Logger} over pino. pino takes the fields first and the message second, so a
 * pino logger does not fit the interface as it is; this swaps the arguments.
 */
export function tickwireLog(log: Pino): Logger {
  const child = log.child({ component: 'tickwire' });
  return {
    debug: (message: string, fields?: LogFields) => child.debug(fields ?? {}, message),
    info: (message: string, fields?: LogFields) => child.info(fields ?? {}, message),
    warn: (message: string, fields?: LogFields) => child.warn(fields ?? {}, message),
    error: (message: string, fields?: LogFields) => child.error(fields ?? {}, message),
  };
}
