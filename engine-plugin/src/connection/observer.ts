import type { MessageType } from '../schema/message.js';
import type { Connection } from './connection.js';

/**
 * Read-only hooks into the server's connection layer, for metrics and packet logs. Every hook is
 * optional and called synchronously where the thing happens, so keep them cheap; a hook that throws
 * is reported to the logger and never breaks the connection. Nothing here sees a client-chosen
 * string except through a registered message type, so label sets built from these stay bounded.
 */
export interface ConnectionObserver {
  /** An upgrade request was refused before the upgrade, with this HTTP status (401, 403, 503…). */
  refused?(status: number, reason: string): void;
  /** A handshake completed: a new session, or a held one resumed. */
  connected?(connection: Connection, resumed: boolean): void;
  /** A connection ended (held for a resume or not) with this close code. */
  disconnected?(connection: Connection, code: number, reason: string): void;
  /** A WebSocket message arrived from this connection (`kind` is its first byte, see `FrameKind`). */
  frameIn?(connection: Connection, kind: number, bytes: number): void;
  /** A frame was handed to this connection's socket. */
  frameOut?(connection: Connection, kind: number, bytes: number): void;
  /** A valid message was queued for game code. */
  messageIn?(connection: Connection, type: MessageType, bytes: number): void;
  /** A queued message left in a frame. */
  messageOut?(connection: Connection, type: MessageType, bytes: number): void;
  /** An inbound message (or message-less frame) was dropped by the rate limit. */
  limited?(connection: Connection): void;
  /** This tick's frame was held back: the socket is over its high-water mark (state coalesces). */
  backpressure?(connection: Connection, bufferedAmount: number): void;
  /** A round-trip time sample from a Pong, ms. */
  rtt?(connection: Connection, sampleMs: number): void;
  /** A whole server tick (`receive` … `flush`) took this long; called by `NetworkServer`. */
  tick?(durationMs: number, replicatedEntities: number): void;
}

type Hook = keyof ConnectionObserver;

/**
 * The observers of one endpoint, fanned out. `any` is checked first on hot paths, so a server
 * without observers pays one property read per frame.
 */
export class ObserverList {
  private readonly observers: ConnectionObserver[] = [];

  constructor(private readonly report: (error: unknown) => void) {}

  /** True when at least one observer is registered. */
  get any(): boolean {
    return this.observers.length > 0;
  }

  /** Register an observer; returns the function that removes it. */
  add(observer: ConnectionObserver): () => void {
    this.observers.push(observer);
    return () => {
      const at = this.observers.indexOf(observer);
      if (at >= 0) this.observers.splice(at, 1);
    };
  }

  /** Call `hook` on every observer that has it, with `args`. */
  emit<H extends Hook>(hook: H, ...args: Parameters<NonNullable<ConnectionObserver[H]>>): void {
    for (const observer of this.observers) {
      const fn = observer[hook] as ((...a: Parameters<NonNullable<ConnectionObserver[H]>>) => void) | undefined;
      if (!fn) continue;
      try {
        fn.apply(observer, args);
      } catch (error) {
        this.report(error);
      }
    }
  }
}
