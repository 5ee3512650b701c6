import { type Logger as Pino, pino } from 'pino';
import { type Logger, fieldsFirstLogger } from 'tickwire';

/** The demo's structured log: JSON lines on stdout. */
export function createLog(level: string): Pino {
  return pino({ level, base: { service: 'tickwire-demo' } });
}

/** tickwire's log lines, as pino JSON under `component: tickwire`. */
export function tickwireLog(log: Pino): Logger {
  return fieldsFirstLogger(log.child({ component: 'tickwire' }));
}
