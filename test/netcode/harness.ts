/**
 * A deterministic game over the in-memory link conditioner: one server ticking at a fixed rate and
 * clients rendering at their own frame rate, all on one ManualClock. Server and clients each get
 * their own component stores from the same declarations (sharing typed arrays in one process
 * would make every test pass for the wrong reason) and the same shared step function.
 */
import { addComponent, addEntity, createWorld, type World } from 'bitecs';
import {
  type ClientOptions,
  createClient,
  createMemoryNetwork,
  createServer,
  defineComponent,
  defineInput,
  defineMessage,
  defineProtocol,
  ManualClock,
  type NetworkClient,
  type NetworkServer,
  type Protocol,
  Networked,
  type ServerOptions,
  type ShapeValue,
  silentLogger,
  t,
} from '../../engine-plugin/src/index';
import type { Link, MemoryNetwork } from '../../engine-plugin/src/transport/memory';

/** Units a Move input of magnitude 1 moves an entity. */
export const SPEED = 5;

/** One side's game definitions: the same declarations as the other side, separate stores. */
export function makeGame() {
  const Position = defineComponent(
    'position',
    { x: t.f32({ precision: 0.01, interpolate: true }), y: t.f32({ precision: 0.01, interpolate: true }) },
    { capacity: 1024 },
  );
  const Heading = defineComponent('heading', { angle: t.f32({ interpolate: 'angle' }) }, { capacity: 1024 });
  const Move = defineInput('move', { dx: t.f32({ min: -1, max: 1 }), dy: t.f32({ min: -1, max: 1 }) });
  const You = defineMessage('you', { eid: t.u32() }, { direction: 'toClient' });
  const Note = defineMessage('note', { n: t.u32() });
  /** An action aimed at a point, carrying the (fractional) server tick the client was drawing: lag compensation's input. */
  const Shot = defineInput('shot', { seenTick: t.f64(), x: t.f32(), y: t.f32() });
  const protocol = defineProtocol({ components: [Position, Heading], messages: [Move, You, Note, Shot] });
  /** The shared input function: the server runs it per input, the client to predict. */
  const applyMove = (eid: number, input: ShapeValue<typeof Move.shape>): void => {
    Position.x[eid] = Position.x[eid]! + input.dx * SPEED;
    Position.y[eid] = Position.y[eid]! + input.dy * SPEED;
  };
  return { Position, Heading, Move, You, Note, Shot, protocol, applyMove };
}

export type Game = ReturnType<typeof makeGame>;

/** 150 ms RTT ± 30 ms: 60 ms each way plus uniform [0, 30) ms jitter each way. */
export const WAN = { latencyMs: 60, jitterMs: 30 };

export interface SimClient {
  readonly net: NetworkClient;
  readonly game: Game;
  readonly world: World;
  readonly link: Link;
  /** The local id of this client's own entity, once the server said which it is. */
  own(): number | undefined;
  /** Called every frame before `flush`. */
  onFrame?: (now: number) => void;
}

export interface SimOptions {
  readonly tickRate?: number;
  readonly fps?: number;
  readonly seed?: number;
  readonly server?: Partial<ServerOptions>;
  /**
   * A busy page: frame n is shown at n × frame interval (its vsync timestamp) but its script runs
   * this many ms later. Default 0.
   */
  readonly scriptLateness?: (frame: number) => number;
  /** Pass each frame's timestamp to `receive` (as a browser game passes rAF's); default: `receive()` at the script's time. */
  readonly receiveFrameTime?: boolean;
}

export interface Sim {
  readonly clock: ManualClock;
  readonly network: MemoryNetwork;
  readonly server: NetworkServer;
  readonly game: Game;
  readonly world: World;
  /** The entity each connection owns. */
  readonly players: Map<number, number>;
  /** Called every server tick between `receive` and `replicate` (after inputs were applied). */
  onTick?: (tick: number) => void;
  client(options?: Partial<ClientOptions> & { link?: Parameters<MemoryNetwork['client']>[0]; protocol?: Protocol }): SimClient;
  /** Spawn a networked entity on the server at (x, y). */
  spawn(x: number, y: number): number;
  /**
   * Run server ticks and client frames in time order for `ms`. Async only because admission is:
   * the promise jobs run between steps, while the ManualClock stays exactly where it is.
   */
  run(ms: number): Promise<void>;
}

export async function createSim(options: SimOptions = {}): Promise<Sim> {
  const clock = new ManualClock();
  const network = createMemoryNetwork({ clock, seed: options.seed ?? 7 });
  const tickRate = options.tickRate ?? 20;
  const tickMs = 1000 / tickRate;
  const frameMs = 1000 / (options.fps ?? 60);
  const game = makeGame();
  const world = createWorld();
  const server = createServer(world, game.protocol, { logger: silentLogger, clock, tickRate, ...options.server, transport: network.server() });
  await server.start();
  const clients: SimClient[] = [];
  const players = new Map<number, number>();
  let nextTick = 0;
  let nextFrame = 0;
  let frameIndex = 0;
  let frameShownAt = 0;
  const lateness = options.scriptLateness ?? (() => 0);

  const spawn = (x: number, y: number): number => {
    const eid = addEntity(world);
    addComponent(world, eid, game.Position);
    addComponent(world, eid, game.Heading);
    game.Position.x[eid] = x;
    game.Position.y[eid] = y;
    addComponent(world, eid, Networked);
    return eid;
  };

  const serverTick = (): void => {
    server.receive();
    for (const event of server.events()) {
      if (event.type === 'connected') {
        const eid = spawn(0, 0);
        server.setOwner(eid, event.connection);
        players.set(event.connection.id, eid);
        server.send(event.connection, game.You, { eid });
      } else if (event.type === 'expired' || (event.type === 'disconnected' && !event.resumable)) {
        players.delete(event.connection.id);
      }
    }
    for (const { source, data } of server.messages(game.Move)) for (const eid of server.owned(source)) game.applyMove(eid, data);
    sim.onTick?.(server.tick);
    server.replicate();
    server.flush();
  };

  const sim: Sim = {
    clock,
    network,
    server,
    game,
    world,
    players,
    client(clientOptions = {}) {
      const { link, protocol, ...rest } = clientOptions;
      const transport = network.client(link ?? { conditions: WAN });
      const clientGame = makeGame();
      const clientWorld = createWorld();
      const net = createClient(clientWorld, protocol ?? clientGame.protocol, { transport, logger: silentLogger, clock, reconnect: false, ...rest });
      let ownServerId: number | undefined;
      const client: SimClient = {
        net,
        game: clientGame,
        world: clientWorld,
        link: transport.link,
        own: () => (ownServerId === undefined ? undefined : net.localId(ownServerId)),
      };
      // Frames run the client's systems; `You` is read there.
      const frame = (): void => {
        net.receive(options.receiveFrameTime ? frameShownAt : undefined);
        for (const you of net.messages(clientGame.You)) ownServerId = you.eid;
        client.onFrame?.(options.receiveFrameTime ? frameShownAt : clock.now());
        net.flush();
      };
      (client as SimClient & { frame: () => void }).frame = frame;
      clients.push(client);
      net.connect();
      return client;
    },
    spawn,
    async run(ms) {
      const end = clock.now() + ms;
      for (;;) {
        const scriptAt = nextFrame + lateness(frameIndex);
        const at = Math.min(nextTick, scriptAt);
        if (at > end) break;
        await new Promise<void>((resolve) => setImmediate(resolve));
        clock.advance(at - clock.now());
        if (at === nextTick) {
          serverTick();
          nextTick += tickMs;
        } else {
          frameShownAt = nextFrame;
          for (const c of clients) (c as SimClient & { frame: () => void }).frame();
          nextFrame += frameMs;
          frameIndex++;
        }
      }
      clock.advance(end - clock.now());
    },
  };
  return sim;
}
