import { parseArgs } from 'node:util';
import { ROUND_SECONDS } from '@tickwire/demo-shared';
import type { LogFormat } from './log';

/** Everything an operator can set for the demo server. */
export interface DemoConfig {
  /** HTTP port for the client, `/health` and `/ws`; 0 picks a free one. */
  readonly port: number;
  /** Interface to bind; undefined binds all. */
  readonly host: string | undefined;
  /** Simulation ticks per second. */
  readonly tickRate: number;
  /** Ticks between frames to each client (tickwire's `sendInterval`): 1 sends state every tick. */
  readonly sendInterval: number;
  /** Players at once; one more is turned away with close 4002 (server full). */
  readonly maxPlayers: number;
  /** Server-driven wanderers. */
  readonly bots: number;
  /** Orbs on the field at any time (a collected one respawns elsewhere). */
  readonly orbs: number;
  /**
   * View groups: players, bots and orbs dealt into this many rooms that never see each other
   * (load tests); 0 (default) puts everyone in one.
   */
  readonly viewGroups: number;
  /** Length of a round, seconds: the most points when it ends wins, then scores reset. */
  readonly roundSeconds: number;
  /**
   * Players per arena: a browser is matched into an arena with space (POST
   * /matchmake/joinOrCreate/arena), and a full one makes the next, with its own orbs and bots.
   * 0 (default): `maxPlayers`, one arena for the whole server.
   */
  readonly roomSize: number;
  /**
   * Redis URL of a tickwire cluster to join (`redis://127.0.0.1:6379`): chat, direct messages and
   * presence then reach players on every node. Undefined (default): one process, no Redis.
   */
  readonly redis: string | undefined;
  /** This node's name in the cluster; unique while it runs. Default: a random one. */
  readonly node: string | undefined;
  /** The WebSocket URL clients reach this node at, as the cluster hands it out. Default `ws://localhost:<port>/ws`. */
  readonly publicUrl: string | undefined;
  /**
   * Page origins (`http://localhost:8080`) allowed to call `/matchmake` and `/auth` from another
   * origin — a page of one cluster node opened with `?server=` naming another. Default none.
   */
  readonly corsOrigins: readonly string[];
  /** pino log level. */
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Readable lines (`pretty`), JSON lines (`json`), or `auto`: pretty on a terminal, JSON when piped. */
  readonly logFormat: LogFormat;
}

/** Defaults: what `npm start` runs with. */
export const DEFAULT_CONFIG: DemoConfig = {
  port: 8080,
  host: undefined,
  tickRate: 20,
  sendInterval: 1,
  maxPlayers: 32,
  bots: 250,
  orbs: 120,
  viewGroups: 0,
  roundSeconds: ROUND_SECONDS,
  roomSize: 0,
  redis: undefined,
  node: undefined,
  publicUrl: undefined,
  corsOrigins: [],
  logLevel: 'info',
  logFormat: 'auto',
};

/** The configuration could not be understood; the message says which option and why. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** `--help` text. */
export const USAGE = `tickwire demo server

Usage: npm start -- [options]   (or: npm run start -w server -- [options])

Options (flag, then environment variable, then default):
  --port <n>          PORT          HTTP + WebSocket port            (${DEFAULT_CONFIG.port})
  --host <addr>       HOST          interface to bind                (all)
  --tick-rate <hz>    TICK_RATE     simulation ticks per second      (${DEFAULT_CONFIG.tickRate})
  --send-interval <n> SEND_INTERVAL ticks between frames to a client    (${DEFAULT_CONFIG.sendInterval})
  --max-players <n>   MAX_PLAYERS   players at once                  (${DEFAULT_CONFIG.maxPlayers})
  --bots <n>          BOTS          wandering bots                   (${DEFAULT_CONFIG.bots})
  --orbs <n>          ORBS          orbs on the field                (${DEFAULT_CONFIG.orbs})
  --view-groups <n>   VIEW_GROUPS   rooms that never see each other  (${DEFAULT_CONFIG.viewGroups}: one)
  --round-seconds <n> ROUND_SECONDS length of a round                (${DEFAULT_CONFIG.roundSeconds})
  --room-size <n>     ROOM_SIZE     players per matchmade arena      (${DEFAULT_CONFIG.roomSize}: max players)
  --redis <url>       REDIS_URL     join a cluster over Redis          (none: one process)
  --node <name>       TICKWIRE_NODE this node's name in the cluster    (random)
  --public-url <url>  PUBLIC_URL    ws:// URL clients reach this node at (ws://localhost:<port>/ws)
  --cors-origins <o,…> CORS_ORIGINS page origins allowed to call /matchmake and /auth cross-origin (none)
  --log-level <lvl>   LOG_LEVEL     debug | info | warn | error | silent (${DEFAULT_CONFIG.logLevel})
  --log-format <f>    LOG_FORMAT    pretty | json | auto: pretty on a terminal, JSON when piped (${DEFAULT_CONFIG.logFormat})
  -h, --help                        show this text
`;

const LOG_LEVELS: readonly DemoConfig['logLevel'][] = ['debug', 'info', 'warn', 'error', 'silent'];
const LOG_FORMATS: readonly LogFormat[] = ['auto', 'pretty', 'json'];

function integer(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

/** What the command line asked for: a configuration, or the usage text. */
export type ParsedCommandLine = { readonly help: true } | { readonly help: false; readonly config: DemoConfig };

/**
 * Read options from command-line flags, falling back to environment variables, then defaults.
 * Throws {@link ConfigError} on an unknown flag or a value out of range.
 */
export function parseCommandLine(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ParsedCommandLine {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'tick-rate': { type: 'string' },
        'send-interval': { type: 'string' },
        'max-players': { type: 'string' },
        bots: { type: 'string' },
        orbs: { type: 'string' },
        'view-groups': { type: 'string' },
        'round-seconds': { type: 'string' },
        'room-size': { type: 'string' },
        redis: { type: 'string' },
        node: { type: 'string' },
        'public-url': { type: 'string' },
        'cors-origins': { type: 'string' },
        'log-level': { type: 'string' },
        'log-format': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  if (values.help === true) return { help: true };
  const text = (flag: string, variable: string): string | undefined => {
    const value = values[flag];
    return typeof value === 'string' ? value : env[variable];
  };
  const logLevel = text('log-level', 'LOG_LEVEL') ?? DEFAULT_CONFIG.logLevel;
  if (!LOG_LEVELS.includes(logLevel as DemoConfig['logLevel']))
    throw new ConfigError(`log level must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  const logFormat = text('log-format', 'LOG_FORMAT') || DEFAULT_CONFIG.logFormat;
  if (!LOG_FORMATS.includes(logFormat as LogFormat)) throw new ConfigError(`log format must be one of ${LOG_FORMATS.join(', ')}, got "${logFormat}"`);
  const d = DEFAULT_CONFIG;
  const port = integer('port', text('port', 'PORT'), d.port, 0, 65_535);
  const redis = text('redis', 'REDIS_URL') || undefined;
  if (redis !== undefined && !/^rediss?:\/\//.test(redis)) throw new ConfigError(`redis must be a redis:// or rediss:// URL, got "${redis}"`);
  const publicUrl = text('public-url', 'PUBLIC_URL') || undefined;
  if (publicUrl !== undefined && !/^wss?:\/\//.test(publicUrl)) throw new ConfigError(`public url must be a ws:// or wss:// URL, got "${publicUrl}"`);
  const corsOrigins = (text('cors-origins', 'CORS_ORIGINS') ?? '').split(',').map((origin) => origin.trim()).filter((origin) => origin !== '');
  for (const origin of corsOrigins) if (!/^https?:\/\/[^/]+$/.test(origin)) throw new ConfigError(`cors origins must be http(s)://host[:port] origins, got "${origin}"`);
  // The other nodes hand out this node's address: it must be known before the port is bound.
  if (redis !== undefined && port === 0 && publicUrl === undefined) throw new ConfigError('a cluster node needs a fixed --port (or a --public-url)');
  return {
    help: false,
    config: {
      port,
      host: text('host', 'HOST') || undefined,
      tickRate: integer('tick rate', text('tick-rate', 'TICK_RATE'), d.tickRate, 1, 120),
      sendInterval: integer('send interval', text('send-interval', 'SEND_INTERVAL'), d.sendInterval, 1, 60),
      maxPlayers: integer('max players', text('max-players', 'MAX_PLAYERS'), d.maxPlayers, 1, 10_000),
      bots: integer('bots', text('bots', 'BOTS'), d.bots, 0, 5000),
      orbs: integer('orbs', text('orbs', 'ORBS'), d.orbs, 0, 2000),
      viewGroups: integer('view groups', text('view-groups', 'VIEW_GROUPS'), d.viewGroups, 0, 10_000),
      roundSeconds: integer('round seconds', text('round-seconds', 'ROUND_SECONDS'), d.roundSeconds, 1, 86_400),
      roomSize: integer('room size', text('room-size', 'ROOM_SIZE'), d.roomSize, 0, 10_000),
      redis,
      node: text('node', 'TICKWIRE_NODE') || undefined,
      publicUrl,
      corsOrigins,
      logLevel: logLevel as DemoConfig['logLevel'],
      logFormat: logFormat as LogFormat,
    },
  };
}
