import { FrameKind } from '../protocol/frames.js';
import type { Logger } from './logger.js';
import type { ConnectionObserver } from './observer.js';

const FRAME_NAMES = new Map<number, string>(Object.entries(FrameKind).map(([name, kind]) => [kind, name]));

/**
 * A debug line per frame and per message, in and out — the per-packet log. Off unless registered
 * (`createServer(…, { observer: packetLog(logger) })` or `net.endpoint.observe(packetLog(logger))`)
 * because at 60 Hz it is a line per client per tick; the logger's own level still filters it.
 */
export function packetLog(logger: Logger): ConnectionObserver {
  const frame = (direction: 'in' | 'out') => (connection: { id: number }, kind: number, bytes: number) =>
    logger.debug(`frame ${direction}`, { connection: connection.id, kind: FRAME_NAMES.get(kind) ?? `0x${kind.toString(16)}`, bytes });
  return {
    frameIn: frame('in'),
    frameOut: frame('out'),
    messageIn: (connection, type, bytes) => logger.debug('message in', { connection: connection.id, type: type.name, bytes }),
    messageOut: (connection, type, bytes) => logger.debug('message out', { connection: connection.id, type: type.name, bytes }),
    limited: (connection) => logger.debug('message dropped by the rate limit', { connection: connection.id }),
    backpressure: (connection, buffered) => logger.debug('frame held back', { connection: connection.id, buffered }),
  };
}
