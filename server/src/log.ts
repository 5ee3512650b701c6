import type { Writable } from 'node:stream';
import { type Logger as Pino, pino } from 'pino';
import { PinoPretty } from 'pino-pretty';
import { type Logger, fieldsFirstLogger } from 'tickwire';

/** How log lines look: `pretty` for a person at a terminal, `json` for a log collector; `auto` picks by the output. */
export type LogFormat = 'auto' | 'pretty' | 'json';

/** `auto` is readable lines on a terminal and JSON lines everywhere else (a pipe, a file, a container's log). */
export function resolveLogFormat(format: LogFormat, isTerminal: boolean): 'pretty' | 'json' {
  return format === 'auto' ? (isTerminal ? 'pretty' : 'json') : format;
}

/** The demo's structured log on `destination` (stdout): pino JSON lines, or the same events as readable lines. */
export function createLog(level: string, format: LogFormat = 'auto', destination: Writable & { isTTY?: boolean } = process.stdout): Pino {
  const options = { level, base: { service: 'tickwire-demo' } };
  const isTerminal = destination.isTTY === true;
  if (resolveLogFormat(format, isTerminal) === 'json') return pino(options, destination);
  // Synchronous, on the main thread: a demo logs little, and lines must not be lost at exit.
  return pino(options, PinoPretty({ destination, sync: true, colorize: isTerminal, singleLine: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' }));
}

/** tickwire's log lines, as pino JSON under `component: tickwire`. */
export function tickwireLog(log: Pino): Logger {
  return fieldsFirstLogger(log.child({ component: 'tickwire' }));
}
