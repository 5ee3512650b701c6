/**
 * A headless player for the demo: a tickwire client in Node with its own copy of the game's
 * modules. bitECS components are module-level typed arrays, so a client sharing the server's
 * modules would write into the server's state; a fresh module graph per player stands in for
 * the separate process (or browser) a real player runs in.
 */
import { vi } from 'vitest';

/** A connected (or connecting) headless player. */
export interface NodePlayer {
  /** Run one client frame: receive, react (join, remember our entity), flush. */
  frame(): void;
  /** Our player's server entity id, once the server said so. */
  readonly entity: number | undefined;
  /** Where this client sees a server entity, if it sees it. */
  positionOf(serverEntity: number): { x: number; y: number } | undefined;
  /** Chat lines received so far. */
  readonly chat: ReadonlyArray<{ from: string; text: string; system: boolean }>;
  /** Send a chat line. */
  say(text: string): void;
  /** Hold a direction. */
  move(x: -1 | 0 | 1, y: -1 | 0 | 1): void;
  /** Close codes and reasons of every disconnect seen. */
  readonly disconnects: ReadonlyArray<{ code: number; reason: string }>;
  readonly state: string;
  close(): void;
}

/** Connect a headless player named `name` to the demo server at `url` (ws://…/ws). */
export async function connectNodePlayer(url: string, name: string): Promise<NodePlayer> {
  vi.resetModules();
  const { ChatLine, Join, Joined, Move, Position, Say, protocol } = await import('@tickwire/demo-shared');
  const { createClient, silentLogger } = await import('tickwire');
  const { nodeWebSocketClient } = await import('tickwire/node');
  const { createWorld, hasComponent } = await import('bitecs');
  const world = createWorld();
  const net = createClient(world, protocol, { transport: nodeWebSocketClient(url), reconnect: false, logger: silentLogger });
  let entity: number | undefined;
  const disconnects: Array<{ code: number; reason: string }> = [];
  const chat: Array<{ from: string; text: string; system: boolean }> = [];
  net.connect();
  return {
    frame() {
      net.receive();
      for (const event of net.events()) {
        if (event.type === 'connected' && !event.resumed) net.send(Join, { name });
        if (event.type === 'disconnected') disconnects.push({ code: event.code, reason: event.reason });
      }
      for (const joined of net.messages(Joined)) entity = joined.entity;
      for (const line of net.messages(ChatLine)) chat.push({ from: line.from, text: line.text, system: line.system });
      net.flush();
    },
    get entity() {
      return entity;
    },
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
      net.send(Move, { x, y });
    },
    disconnects,
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
