import { type Server, createServer as createHttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ARENA_ROOM, Bot, INPUT_RATE, Orb, Player, Position, protocol } from '@tickwire/demo-shared';
import { createWorld, query } from 'bitecs';
import { createServer, fixedTick } from 'tickwire';
import { type ClusterNode, joinCluster, redisRoomDirectory, registerClusterMetrics } from 'tickwire/cluster';
import { createHealth, createMetrics, listenForMetrics, matchmakingEndpoint, webSocketServer } from 'tickwire/node';
import { Arenas, arenaRoomType, handleArenas } from './arenas';
import { spawnBots, wanderBots } from './bots';
import { chatRelay } from './chat';
import { DEFAULT_CONFIG, type DemoConfig } from './config';
import type { Game } from './game';
import { createGuestAuth, tokenSecretFromEnvironment } from './guest-auth';
import { DEFAULT_CLIENT_DIR, clientIsBuilt, createRequestListener } from './http';
import { leaderboardPublisher } from './leaderboard';
import { lobbyMessaging } from './lobby';
import { createLog, tickwireLog } from './log';
import { applyMoves } from './movement';
import { collectOrbs, spawnOrb } from './orbs';
import { shovePlayers } from './shove';
import { applyKnockback } from './knockback';
import { handleConnections, handleJoins } from './players';
import { Rounds } from './rounds';
import { TickStats } from './tick-stats';
import { Zaps } from './zaps';

/** Options of {@link startDemoServer}: any setting of {@link DemoConfig}, plus where the client is. */
export interface DemoServerOptions extends Partial<DemoConfig> {
  /** The built client to serve. Default: env `TICKWIRE_CLIENT_DIR`, else client-demo/dist (where `npm run build -w client-demo` writes it). */
  readonly clientDir?: string;
  /** Uniform random numbers in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
  /** Offer permessage-deflate to clients (see the README's Compression section). Default off. */
  readonly perMessageDeflate?: boolean;
  /** Bots shove the players they touch (a server-side force the client corrects for). Default on; tests of straight walks turn it off. */
  readonly shove?: boolean;
  /**
   * Port of the metrics listener (`/metrics`, `/health/live`, `/health/ready`), bound to 127.0.0.1,
   * never the game port. Default: env `TICKWIRE_METRICS_PORT`, else the game port + 1 (a free one when the game port is 0).
   */
  readonly metricsPort?: number;
}

/** A running demo server. */
export interface DemoServer {
  /** The port it listens on (the real one when started on port 0). */
  readonly port: number;
  /** The metrics listener's port, on 127.0.0.1. */
  readonly metricsPort: number;
  /** The game, for tests that want to look inside. */
  readonly game: Game;
  /** Graceful shutdown: clients get close 4004, then the HTTP server closes. Idempotent. */
  stop(): Promise<void>;
}


/** For load tests, where every client comes from 127.0.0.1 (env `TICKWIRE_ADDRESS_LIMITS=off`). */
const LIFTED_ADDRESS_LIMITS = { maxConnectionsPerAddress: 1e9, maxPendingHandshakesPerAddress: 1e9, maxHeldSessionsPerAddress: 1e9, maxPendingHandshakes: 4096 };

/**
 * Start the demo: one HTTP server on one port serving the built client, `/health` and the
 * WebSocket endpoint `/ws`, and the authoritative simulation at a fixed tick.
 */
export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const { clientDir = process.env.TICKWIRE_CLIENT_DIR || DEFAULT_CLIENT_DIR, random = Math.random, perMessageDeflate = false, metricsPort: metricsPortOption, shove = true, ...overrides } = options;
  const config: DemoConfig = { ...DEFAULT_CONFIG, ...overrides };
  const log = createLog(config.logLevel, config.logFormat);
  const started = Date.now();

  const world = createWorld();
  const http: Server = createHttpServer();
  // Guest tokens: the client asks POST /auth/guest, then connects with ?token=; refreshes in-band.
  const { secret, usingDevelopmentSecret } = tokenSecretFromEnvironment();
  if (usingDevelopmentSecret) log.warn('guest tokens are signed with the public development secret: set TICKWIRE_TOKEN_SECRET in production');
  const liftLimits = process.env.TICKWIRE_ADDRESS_LIMITS === 'off';
  // Pages of the other cluster nodes (another origin) may matchmake and log in here.
  const cors = config.corsOrigins.length > 0 ? { cors: { origins: config.corsOrigins } } : {};
  const guests = createGuestAuth({ secret, ...cors, ...(liftLimits ? { issuesPerSecond: 1e6, issueBurst: 1e6 } : {}) });
  // On a cluster, chat, whispers and presence reach the other nodes through Redis.
  // Matchmaking hands out this node's absolute address, so a page served by another node connects here.
  const address = config.publicUrl ?? `ws://localhost:${config.port}/ws`;
  const cluster: ClusterNode | undefined = config.redis
    ? await joinCluster({ redis: config.redis, address, node: config.node, logger: tickwireLog(log) })
    : undefined;
  const net = createServer(world, protocol, {
    authenticate: guests.authenticate,
    verifyToken: guests.verifyToken,
    transport: webSocketServer({ server: http, path: '/ws', perMessageDeflate }),
    tickRate: config.tickRate,
    maxConnections: config.maxPlayers,
    // Per-address limits stay at tickwire's defaults; a load generator on one machine lifts them.
    limits: liftLimits ? LIFTED_ADDRESS_LIMITS : undefined,
    // One player too many is told why (close 4002 with a reason), not refused before the upgrade
    // (a browser cannot read an HTTP 503 and would only see a failed connection).
    whenFull: 'close',
    // A dropped player keeps their circle and score for 15 s: long enough for a phone that lost
    // its signal or a laptop that slept briefly to resume the same session.
    resumeGraceMs: 15_000,
    // Each Move is one step, so the input budget is the speed limit: as many per tick as an honest
    // client sends (one at 20 Hz). A faster sender's extra steps queue until 4005, never add speed.
    // Inputs play out at the rate clients send them, one extra a tick to catch up after a late one.
    settings: { inputRate: INPUT_RATE, maxInputsPerTick: Math.ceil(INPUT_RATE / config.tickRate) + 1, sendInterval: config.sendInterval },
    logger: tickwireLog(log),
    // Every Position write in the game marks the entity (net.markChanged), so replication compares
    // only what moved; outside production the verifier scans too and warns about a forgotten mark.
    replication: { marked: [Position] },
    // The browser finds its arena through POST /matchmake/joinOrCreate/arena and connects to
    // /ws with the seat; bots and scripted players may still connect without one. On a cluster the
    // rooms of every node are listed in Redis, and a seat may be on another node.
    matchmaking: cluster ? { directory: redisRoomDirectory(cluster), address } : { address: '/ws' },
    messaging: lobbyMessaging(cluster),
  });
  net.matchmaker.defineRoomType(ARENA_ROOM, arenaRoomType(config));
  const matchmaking = matchmakingEndpoint(net.matchmaker, { ...cors, ...(liftLimits ? { requestsPerSecond: 1e6, burst: 1e6 } : {}) });
  const game: Game = { world, net, config, log, random, arenas: new Arenas(config.viewGroups + 1, config.roomSize === 0) };

  // One shared arena: its bots and orbs are there from the start. Arenas of `--room-size` bring their own.
  if (game.arenas.shared) {
    spawnBots(game, config.bots);
    for (let i = 0; i < config.orbs; i++) spawnOrb(game);
  }

  const zaps = new Zaps(game);
  const rounds = new Rounds(game);
  const relayChat = chatRelay();
  const publishLeaderboard = leaderboardPublisher();
  const dt = 1 / config.tickRate;
  const tickStats = new TickStats();
  const step = (): void => {
    const startedAt = performance.now();
    net.receive();
    handleConnections(game);
    handleArenas(game);
    handleJoins(game);
    applyMoves(game);
    zaps.apply();
    wanderBots(game, dt);
    if (shove) shovePlayers(game);
    applyKnockback(game, dt);
    collectOrbs(game);
    rounds.update();
    zaps.record();
    relayChat(game);
    publishLeaderboard(game);
    net.replicate();
    net.flush();
    tickStats.record(net.tick, startedAt, performance.now() - startedAt);
  };

  const metrics = createMetrics(net);
  if (cluster) registerClusterMetrics(cluster, metrics.registry);
  const health = createHealth(net);
  const serve = createRequestListener({
    clientDir,
    health: () => ({
      status: 'ok',
      tick: net.tick,
      tickRate: config.tickRate,
      players: query(world, [Player]).length,
      maxPlayers: config.maxPlayers,
      bots: query(world, [Bot]).length,
      orbs: query(world, [Orb]).length,
      connections: net.endpoint.connections.size,
      inputPlayout: health.check().inputPlayout,
      uptimeSeconds: Math.round((Date.now() - started) / 1000),
      viewGroups: config.viewGroups,
      node: cluster?.node,
      arenas: [...net.matchmaker.rooms()].map((room) => ({ id: room.id, players: room.connections.size, maxPlayers: room.maxClients })),
      // For load tests: tick durations, when recent ticks started, and the process's memory.
      ticks: tickStats.snapshot(),
      memory: { rssBytes: process.memoryUsage.rss(), heapUsedBytes: process.memoryUsage().heapUsed },
    }),
  });
  http.on('request', (request, response) => {
    // /health stays the demo's JSON; /health/live and /health/ready are the orchestrator probes.
    const probe = (request.url ?? '').startsWith('/health/') && health.handle(request, response);
    if (probe || guests.handle(request, response) || matchmaking.handle(request, response)) return;
    serve(request, response);
  });
  if (!clientIsBuilt(clientDir))
    log.warn({ clientDir }, 'client not built: http:// requests get instructions instead of the game (run "npm start" or "npm run build -w client-demo")');

  await net.start();
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  const port = (http.address() as AddressInfo).port;
  const envMetricsPort = process.env.TICKWIRE_METRICS_PORT;
  const metricsListener = await listenForMetrics([(req, res) => metrics.handle(req, res), (req, res) => health.handle(req, res)], {
    port: metricsPortOption ?? (envMetricsPort ? Number(envMetricsPort) : config.port === 0 ? 0 : config.port + 1),
  });
  const stopTicking = fixedTick(config.tickRate, step);
  log.info({ port, url: `http://localhost:${port}`, tickRate: config.tickRate, maxPlayers: config.maxPlayers, bots: config.bots, orbs: config.orbs }, 'demo server listening');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      stopTicking();
      log.info({ players: query(world, [Player]).length }, 'shutting down');
      await net.stop('server shutdown');
      // Its identities go offline on the other nodes now, not when the lease runs out.
      await cluster?.leave();
      await metricsListener.close();
      const closed = new Promise<void>((resolve) => http.close(() => resolve()));
      // Idle keep-alive connections would otherwise hold `close` open until they time out.
      http.closeAllConnections();
      await closed;
      log.info('stopped');
      log.flush();
    })();
    return stopping;
  };
  return { port, metricsPort: metricsListener.port, game, stop };
}
