import { Player, Position } from '@tickwire/demo-shared';
import { query } from 'bitecs';
import type { NetworkClient } from 'tickwire';
import type { ArenaScene } from './arena-scene';
import type { HudReadings } from './hud';

/** A player as the test hook reports them. */
export interface HookPlayer {
  readonly x: number;
  readonly y: number;
  readonly name: string;
  readonly score: number;
}

/**
 * What the page exposes as `window.__tickwire` for end-to-end tests and for poking at in the
 * browser console. Read-only views of live state; nothing here changes the game.
 */
export interface TestHook {
  readonly net: NetworkClient;
  readonly world: NetworkClient['world'];
  /** This client's connection id (0 before the first Welcome). */
  readonly connectionId: number;
  readonly state: string;
  /** The server entity id of our player, once the server said it is ours and it arrived. */
  readonly ownServerId: number | undefined;
  /** Where our player is drawn this frame (predicted, plus any fading correction). */
  ownPosition(): { x: number; y: number } | undefined;
  /** Our inputs the server has not processed yet. */
  readonly pendingInputs: number;
  /** Every player this client sees, by server entity id. */
  players(): Record<number, HookPlayer>;
  /** Call `listener` after every drawn frame with its rAF time (ms): it sees what that frame showed. */
  onDrawn(listener: (time: number) => void): void;
  /** Zap at world point (x, y), as a click there would; false while cooling down. */
  zap(x: number, y: number): boolean;
  /** The server's verdicts on our zaps so far. */
  zapResults(): ReadonlyArray<{ x: number; y: number; hit: string }>;
  /** What the network HUD shows this frame (computed while it is hidden too). */
  hud(): HudReadings | undefined;
  /** The chat lines on screen now, as text (said, whispered, notices). */
  chatLines(): string[];
  /** Names of the players online on any node (presence), sorted. */
  online(): string[];
  /** The id of the arena matchmaking put this client in (undefined without matchmaking). */
  readonly arenaId: string | undefined;
}

declare global {
  interface Window {
    __tickwire?: TestHook;
  }
}

/** Install `window.__tickwire`. */
export function installTestHook(net: NetworkClient, scene: ArenaScene): void {
  window.__tickwire = {
    get arenaId() {
      return net.connection.seat?.room?.roomId;
    },
    net,
    world: net.world,
    get connectionId() {
      return net.id;
    },
    get state() {
      return net.state;
    },
    get ownServerId() {
      const own = scene.own.entity;
      return own === undefined ? undefined : net.serverId(own);
    },
    get pendingInputs() {
      return scene.own.pendingInputs;
    },
    ownPosition() {
      const own = scene.own.entity;
      return own === undefined ? undefined : { x: Position.x[own]!, y: Position.y[own]! };
    },
    zap(x, y) {
      return scene.zapper.zap(x, y, performance.now());
    },
    zapResults() {
      return scene.zapper.results;
    },
    hud() {
      return scene.hud.last;
    },
    chatLines() {
      return scene.chat.lines();
    },
    online() {
      return scene.online.online();
    },
    onDrawn(listener) {
      scene.afterDraw.push(listener);
    },
    players() {
      const out: Record<number, HookPlayer> = {};
      for (const eid of query(net.world, [Player, Position])) {
        const serverId = net.serverId(eid);
        if (serverId === undefined) continue;
        out[serverId] = { x: Position.x[eid]!, y: Position.y[eid]!, name: Player.name[eid]!, score: Player.score[eid]! };
      }
      return out;
    },
  };
}
