/**
 * A headless player for the demo: a tickwire client in Node with its own copy of the game's
 * modules. bitECS components are module-level typed arrays, so a client sharing the server's
 * modules would write into the server's state; a fresh module graph per player stands in for
 * the separate process (or browser) a real player runs in.
 */
import { vi } from 'vitest';
import type { NetSwitches } from '../../client-demo/src/net-toggles';

/** A connected (or connecting) headless player. */
export interface NodePlayer {
  /** Run one client frame: receive, react (join on a new session), find and steer our player, flush. */
  frame(): void;
  /** Our player's server entity id, once the server said it is ours (tickwire ownership) and it arrived. */
  readonly entity: number | undefined;
  /** Where this client draws a server entity this frame (interpolated, or predicted for our own), if it sees it. */
  positionOf(serverEntity: number): { x: number; y: number } | undefined;
  /** Our Move inputs the server has not processed yet. */
  readonly pendingInputs: number;
  /** The client's netcode switches, as the HUD keys flip them. */
  readonly net: NetSwitches;
  /** Chat lines received so far: notices (room messages) and players' lines (chat topic publications). */
  readonly chat: ReadonlyArray<{ from: string; text: string; system: boolean }>;
  /** Send a chat line. */
  say(text: string): void;
  /** Hold a direction (0, 0 to let go): frames send Move inputs at the input rate while held. */
  move(x: -1 | 0 | 1, y: -1 | 0 | 1): void;
  /** Round messages received so far. */
  readonly rounds: ReadonlyArray<{ round: number; endsAtTick: number; lastWinner: string; lastWinnerScore: number }>;
  /** Zap at (x, y) as the demo does on a click: sent with the tick this client was drawing. */
  zapAt(x: number, y: number): void;
  /** The server's verdicts on our zaps. */
  readonly zapResults: ReadonlyArray<{ x: number; y: number; hit: string }>;
  /** Close codes and reasons of every disconnect seen. */
  readonly disconnects: ReadonlyArray<{ code: number; reason: string }>;
  /** Every session start seen: resumed (same session, same player) or new. */
  readonly connects: ReadonlyArray<{ resumed: boolean }>;
  readonly state: string;
  close(): void;
}

/** Options of {@link connectNodePlayer}. */
export interface NodePlayerOptions {
  /** Reconnect (and resume) after a drop, with quick retries. Default false: a test sees every close. */
  readonly reconnect?: boolean;
}

/** Connect a headless player named `name` to the demo server at `url` (ws://…/ws). */
export async function connectNodePlayer(url: string, name: string, options: NodePlayerOptions = {}): Promise<NodePlayer> {
  vi.resetModules();
  const { CHAT_TOPIC, ChatLine, Join, Position, Round, Say, protocol } = await import('@tickwire/demo-shared');
  // Imported after the reset too, so its prediction steps this player's stores, not the server's.
  const { OwnPlayer } = await import('../../client-demo/src/own-player');
  const { Zapper } = await import('../../client-demo/src/zapper');
  const { createClient, silentLogger } = await import('tickwire');
  const { nodeWebSocketClient } = await import('tickwire/node');
  const { createWorld, hasComponent } = await import('bitecs');
  const world = createWorld();
  const reconnect = options.reconnect ? { initialMs: 100, maxMs: 500 } : false;
  const net = createClient(world, protocol, { transport: nodeWebSocketClient(url), reconnect, logger: silentLogger });
  const own = new OwnPlayer(net);
  const zapper = new Zapper(net);
  let held = { x: 0, y: 0 };
  const disconnects: Array<{ code: number; reason: string }> = [];
  const connects: Array<{ resumed: boolean }> = [];
  const chat: Array<{ from: string; text: string; system: boolean }> = [];
  const rounds: Array<{ round: number; endsAtTick: number; lastWinner: string; lastWinnerScore: number }> = [];
  net.connect();
  return {
    frame() {
      net.receive();
      for (const event of net.events()) {
        if (event.type === 'connected') connects.push({ resumed: event.resumed });
        if (event.type === 'connected' && !event.resumed) {
          own.forget();
          // As the browser's lobby does: players' lines are publications on the chat topic.
          net.subscribe(CHAT_TOPIC).catch(() => {});
          net.send(Join, { name });
        }
        if (event.type === 'disconnected') disconnects.push({ code: event.code, reason: event.reason });
      }
      own.update();
      zapper.update(performance.now());
      for (const line of net.messages(ChatLine)) chat.push({ from: line.from, text: line.text, system: line.system });
      for (const { data: line } of net.publications(ChatLine)) chat.push({ from: line.from, text: line.text, system: line.system });
      for (const round of net.messages(Round)) rounds.push(round);
      own.steer(held, performance.now());
      net.flush();
    },
    get entity() {
      return own.entity === undefined ? undefined : net.serverId(own.entity);
    },
    get pendingInputs() {
      return own.pendingInputs;
    },
    net,
    positionOf(serverEntity) {
      const local = net.localId(serverEntity);
      if (local === undefined || !hasComponent(world, local, Position)) return undefined;
      return { x: Position.x[local]!, y: Position.y[local]! };
    },
    chat,
    say(text) {
      net.send(Say, { text });
    },
    move(x, y) {
      held = { x, y };
    },
    zapAt(x, y) {
      zapper.zap(x, y, performance.now());
      net.flush();
    },
    zapResults: zapper.results,
    rounds,
    disconnects,
    connects,
    get state() {
      return net.state;
    },
    close() {
      net.disconnect();
    },
  };
}

/** Run frames of every player every few ms until `condition` holds; fails with `what` after `timeoutMs`. */
export async function playUntil(players: readonly NodePlayer[], condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const player of players) player.frame();
    if (condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
