import type { Clock } from './clock.js';
import { truncateCloseReason } from './close-reason.js';
import { ConditionedLane, type LinkConditionsByDirection } from './link-conditioner.js';
import { ABNORMAL_CLOSURE, type ClientSocketHandlers, type Socket, type SocketHandlers } from './transport.js';

/** A socket of the in-memory network. */
export interface MemorySocket extends Socket {
  /** Send a text frame, which tickwire never does: lets tests check that peers refuse them (1003). */
  sendText(text: string): void;
  /** The subprotocol the server selected; empty until open or when none was. */
  readonly protocol: string;
}

/** What travels over a simulated link, standing in for the HTTP upgrade and WebSocket frames. */
export type Packet =
  | { readonly kind: 'upgrade' }
  | { readonly kind: 'accepted'; readonly protocol: string }
  | { readonly kind: 'refused'; readonly status: number; readonly reason: string }
  | { readonly kind: 'unreachable' }
  | { readonly kind: 'message'; readonly data: Uint8Array | string }
  | { readonly kind: 'close'; readonly code: number; readonly reason: string };

type EndpointState = 'connecting' | 'open' | 'closing' | 'closed';

const encoder = new TextEncoder();

/** One side of an in-memory connection; its `send` feeds the lane towards the other side. */
export class MemoryEndpoint implements MemorySocket {
  state: EndpointState = 'connecting';
  handlers: SocketHandlers | undefined;
  protocol = '';

  constructor(
    private readonly clock: Clock,
    private readonly outgoing: ConditionedLane<Packet>,
    private readonly abort: (reason: string) => void,
  ) {}

  send(data: Uint8Array): void {
    if (this.state === 'connecting') throw new Error('WebSocket is not open');
    if (this.state !== 'open') return;
    // A fresh copy (not `slice`, which on a Node Buffer is a view): the sender may reuse its buffer.
    this.outgoing.send({ kind: 'message', data: new Uint8Array(data) }, data.byteLength);
  }

  sendText(text: string): void {
    if (this.state === 'connecting') throw new Error('WebSocket is not open');
    if (this.state !== 'open') return;
    this.outgoing.send({ kind: 'message', data: text }, encoder.encode(text).byteLength);
  }

  close(code: number, reason: string): void {
    if (this.state === 'connecting') {
      // As in a browser: closing before the upgrade completes fails the connection.
      this.abort('closed before open');
      return;
    }
    if (this.state !== 'open') return;
    this.state = 'closing';
    const truncated = truncateCloseReason(reason);
    this.outgoing.send({ kind: 'close', code, reason: truncated }, 2 + encoder.encode(truncated).byteLength);
  }

  get bufferedAmount(): number {
    return this.state === 'connecting' ? 0 : this.outgoing.bufferedAmount;
  }

  open(protocol: string): void {
    if (this.state !== 'connecting') return;
    this.state = 'open';
    this.protocol = protocol;
    (this.handlers as ClientSocketHandlers).open();
  }

  receive(packet: Packet): void {
    if (packet.kind === 'message') {
      // Like a browser, a side that has started closing takes no more messages.
      if (this.state === 'open') this.handlers?.message(packet.data);
    } else if (packet.kind === 'close') {
      if (this.state === 'open') this.outgoing.send(packet, 2 + encoder.encode(packet.reason).byteLength);
      if (this.state === 'open' || this.state === 'closing') this.finish(packet.code, packet.reason);
    }
  }

  /** Report a close now (the caller is already on a clock tick). */
  finish(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.handlers?.close(code, reason);
  }

  /** The connection broke: report 1006 on the next tick, never inside the caller. */
  fail(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    const { handlers } = this;
    if (handlers) this.clock.setTimeout(() => handlers.close(ABNORMAL_CLOSURE, reason), 0);
  }
}

/**
 * One client↔server connection over a simulated link: two endpoints and a conditioned lane each
 * way. The upgrade request, the server's answer and every frame travel through the lanes, so
 * connecting costs a round trip and a close arrives after the messages sent before it.
 */
export class MemoryConnection {
  readonly client: MemoryEndpoint;
  readonly server: MemoryEndpoint;
  readonly toServer: ConditionedLane<Packet>;
  readonly toClient: ConditionedLane<Packet>;

  constructor(
    clock: Clock,
    random: () => number,
    conditions: LinkConditionsByDirection,
    clientHandlers: ClientSocketHandlers,
    /** Called when the upgrade request reaches the server side. */
    onUpgrade: (connection: MemoryConnection) => void,
  ) {
    this.toServer = new ConditionedLane<Packet>(
      clock,
      random,
      (packet) => {
        if (packet.kind === 'upgrade') onUpgrade(this);
        else this.server.receive(packet);
      },
      conditions.toServer,
    );
    this.toClient = new ConditionedLane<Packet>(clock, random, (packet) => this.receiveAtClient(packet), conditions.toClient);
    const abort = (reason: string): void => this.drop(reason);
    this.client = new MemoryEndpoint(clock, this.toServer, abort);
    this.server = new MemoryEndpoint(clock, this.toClient, abort);
    this.client.handlers = clientHandlers;
    this.toServer.send({ kind: 'upgrade' }, 0);
  }

  /** Both sides are done with it. */
  get finished(): boolean {
    return this.client.state === 'closed' && (this.server.state === 'closed' || this.server.handlers === undefined);
  }

  /** Server side: the upgrade is accepted; the client opens once the answer reaches it. */
  accept(protocol: string): void {
    this.server.state = 'open';
    this.server.protocol = protocol;
    this.toClient.send({ kind: 'accepted', protocol }, 0);
  }

  /** Server side: answer the upgrade with an HTTP error status. */
  refuse(status: number, reason: string): void {
    this.server.state = 'closed';
    this.toClient.send({ kind: 'refused', status, reason }, 0);
  }

  /** Server side: nothing is listening. */
  unreachable(): void {
    this.server.state = 'closed';
    this.toClient.send({ kind: 'unreachable' }, 0);
  }

  /** Break the connection: in-flight data is lost and both sides see 1006. */
  drop(reason: string): void {
    this.toServer.clear();
    this.toClient.clear();
    this.client.fail(reason);
    this.server.fail(reason);
  }

  private receiveAtClient(packet: Packet): void {
    switch (packet.kind) {
      case 'accepted':
        this.client.open(packet.protocol);
        return;
      case 'refused':
        // Mirrors what `ws` reports for a refused upgrade; browsers give no reason at all.
        this.client.finish(ABNORMAL_CLOSURE, `Unexpected server response: ${packet.status} ${packet.reason}`.trim());
        return;
      case 'unreachable':
        this.client.finish(ABNORMAL_CLOSURE, 'connection refused');
        return;
      case 'upgrade':
        return;
      default:
        this.client.receive(packet);
    }
  }
}
