/**
 * One bench player against the Colyseus arena, through the real @colyseus/sdk: matchmake
 * (`joinOrCreate`), keep the decoded state, steer every 2 s like the lean tickwire client.
 */
import { Client, type Room } from '@colyseus/sdk';
import type { Socket } from 'node:net';

/** What every player adds to. */
export interface PlayerCounters {
  updates: number;
  failed: number;
}

interface NodeTransportSocket {
  readonly _socket?: Socket;
  terminate?(): void;
}

export class ColyseusPlayer {
  private room: Room | undefined;
  private steering: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly client: Client,
    private readonly index: number,
    private readonly counters: PlayerCounters,
  ) {}

  private get ws(): NodeTransportSocket | undefined {
    return (this.room as unknown as { connection?: { transport?: { ws?: NodeTransportSocket } } } | undefined)?.connection?.transport?.ws;
  }

  /** Bytes this player's TCP socket has read. */
  get wireBytesRead(): number {
    return this.ws?._socket?.bytesRead ?? 0;
  }

  /** Join; resolves true once in the room, false on failure or after `timeoutMs`. */
  async open(timeoutMs: number): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), timeoutMs);
    });
    const joining = this.client.joinOrCreate('arena', { name: `load-${this.index}` }).catch(() => undefined);
    const room = await Promise.race([joining, timeout]);
    clearTimeout(timer);
    if (!room) {
      this.counters.failed++;
      // A join that completes after its timeout still holds a seat: leave it.
      void joining.then((late) => late?.leave(false).catch(() => {}));
      return false;
    }
    this.room = room;
    // Like the lean tickwire client: a dropped connection stays dropped.
    room.reconnection.enabled = false;
    room.onStateChange(() => {
      this.counters.updates++;
    });
    room.onError(() => {});
    setTimeout(() => {
      if (this.room) this.steering = setInterval(() => this.steer(), 2_000);
    }, Math.random() * 2_000);
    return true;
  }

  private steer(): void {
    const pick = () => Math.floor(Math.random() * 3) - 1;
    this.room?.send('move', { x: pick(), y: pick() });
  }

  /** Drop the socket without a closing handshake (end of run). */
  terminate(): void {
    if (this.steering) clearInterval(this.steering);
    this.steering = undefined;
    this.ws?.terminate?.();
    this.room = undefined;
  }
}
