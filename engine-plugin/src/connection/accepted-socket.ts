import type { TimerHandle } from '../transport/clock.js';
import type { Accepted, ConnectionRequest, Socket, SocketHandlers } from '../transport/transport.js';
import type { ServerConnection } from './server-connection.js';

/** What an {@link AcceptedSocket} asks of the endpoint that accepted it. */
export interface HandshakeHost {
  /** The socket's first frame (its Hello) while it handshakes. */
  hello(accepted: AcceptedSocket, data: Uint8Array | string): void;
  /** The socket closed, handshaken or not. */
  socketClosed(accepted: AcceptedSocket, code: number, reason: string): void;
}

/**
 * One socket the endpoint accepted, from its upgrade to its close: the transport's handlers for
 * it, and what the handshake needs to remember. One object per socket, its handlers methods on
 * the prototype — not a set of closures over a shared scope, which kept the handshake's state
 * (and its cleared timer) alive for the connection's whole life, and under tsx (keepNames) gave
 * each named closure a properties array of its own (docs/architecture.md, "What an idle
 * connection costs").
 */
export class AcceptedSocket implements SocketHandlers {
  /** The session, once the handshake made or resumed one: frames go straight to it. */
  session: ServerConnection | undefined = undefined;
  /** The handshake timeout, while the handshake is in progress; undefined once it is over (either way). */
  timer: TimerHandle | undefined = undefined;

  constructor(
    private readonly host: HandshakeHost,
    readonly socket: Socket,
    readonly request: ConnectionRequest,
    readonly admission: Accepted,
    /** The address the per-address bounds count this socket against. */
    readonly address: string,
  ) {}

  message(data: Uint8Array | string): void {
    if (this.session) {
      this.session.receiveFrame(data);
      return;
    }
    if (this.timer !== undefined) this.host.hello(this, data);
  }

  close(code: number, reason: string): void {
    this.host.socketClosed(this, code, reason);
  }
}
