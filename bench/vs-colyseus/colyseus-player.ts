/**
 * One bench player against the Colyseus arena: the real @colyseus/sdk matchmakes and joins
 * (`joinOrCreate`, seat reservation, WebSocket, JOIN_ROOM), then, like the lean tickwire client,
 * it only counts state patches and steers every 2 s — no state decoding, so neither side's
 * generator work differs by more than the protocols do. (A busy receiver makes the sender's
 * loopback writes cheaper — fewer wake-ups — so unequal clients would skew server CPU.)
 */
import { type Client, Protocol, type Room } from '@colyseus/sdk';
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
    const counters = this.counters;
    const events = (room as unknown as { connection: { events: { onmessage?: (event: { data: ArrayBuffer }) => void } } }).connection.events;
    events.onmessage = (event) => {
      // The low five bits are the protocol code; the high bits are modifiers (TIMED).
      if ((new Uint8Array(event.data, 0, 1)[0]! & 31) === Protocol.ROOM_STATE_PATCH) counters.updates++;
    };
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
