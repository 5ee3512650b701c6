import { ByteReader, ByteWriter } from '../protocol/bytes.js';
import { CloseCode, FINAL_CLOSE_CODES } from '../protocol/close-codes.js';
import { FrameKind, type Hello, MIN_FRAME_BYTES, PROTOCOL_VERSION, type PeerLimits, decodeHello, encodeMismatch, encodeWelcome } from '../protocol/frames.js';
import type { StateSplitter } from './frame-layout.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { MessageCodec } from '../schema/message-codec.js';
import type { Protocol } from '../schema/protocol.js';
import { type Clock, type TimerHandle, systemClock } from '../transport/clock.js';
import type { Accepted, Admission, ConnectionRequest, ServerTransport, Socket, SocketHandlers, TransportHost } from '../transport/transport.js';
import type { ConnectionEvent } from './connection-events.js';
import { type Logger, consoleLogger } from './logger.js';
import type { ReceivedMessage } from './message-receiver.js';
import { type ConnectionObserver, ObserverList } from './observer.js';
import { AcceptedSocket, type HandshakeHost } from './accepted-socket.js';
import { HeartbeatSchedule } from './heartbeat-schedule.js';
import { AdmissionRefused } from './admission-refused.js';
import { RefreshTokenMessage } from '../schema/system-messages.js';
import { TOKEN_SUBPROTOCOL_PREFIX, hasOversizedToken, requestToken } from './token.js';
import { TokenExpiry, type VerifyToken, identitySubject, sameSubject } from './token-expiry.js';
import { type AdmissionLimits, CountsByKey, resolveAdmissionLimits } from './admission-limits.js';
import { type TrustProxy, clientAddress } from './client-address.js';
import { InputPlayout, InputPlayoutTotals } from './input-playout.js';
import { ServerConnection, type ServerConnectionContext } from './server-connection.js';
import { createSessionToken } from './session-token.js';
import { MAX_NODE_NAME_BYTES, type SessionHome, tokenHome } from './session-home.js';
import type { WireFormat } from './wire-format.js';
import { type NetworkSettings, advertisedLimits, resolveSettings } from './settings.js';

/** Close reason of a session's old socket when a resume elsewhere takes the session over (code 4003). */
export const RESUMED_ELSEWHERE = 'resumed elsewhere';

/** The binary wire format's subprotocol name; offering none at all selects it too. */
export const BINARY_SUBPROTOCOL = 'tickwire';

/** Sockets past `maxConnections` let through to be closed with 4002 when `whenFull` is `'close'`. */
export const FULL_CLOSE_HEADROOM = 16;

/**
 * Decides who may connect, before the WebSocket upgrade. Return the peer's identity to admit it,
 * or `undefined`/`null` to refuse with HTTP 401 (throw an {@link AdmissionRefused} for another
 * status, e.g. 403). May be async. When the token came as an `access_token.<token>` subprotocol,
 * the server selects that subprotocol, as browsers require.
 */
export type Authenticate = (request: ConnectionRequest) => unknown | Promise<unknown>;

/** Options of the server side of the connection layer. */
export interface ServerEndpointOptions {
  readonly transport: ServerTransport;
  /** Ticks per second, announced in Welcome. */
  readonly tickRate: number;
  readonly settings?: Partial<NetworkSettings>;
  /** Sessions (handshaking, active and held) at most; more are refused (see `whenFull`). Default 10,000. */
  readonly maxConnections?: number;
  /** Per-address, per-identity and pre-handshake bounds (see {@link AdmissionLimits} for defaults). */
  readonly limits?: Partial<AdmissionLimits>;
  /** Whether `X-Forwarded-For` names the client (behind a reverse proxy). Default false: the socket's address. */
  readonly trustProxy?: TrustProxy;
  /**
   * Subprotocols the server accepts besides `tickwire` (binary), `tickwire.json.v1` and
   * `access_token.<token>`. An upgrade offering subprotocols, none of them known, is refused with
   * HTTP 400; an unknown one is never selected (nor echoed back).
   */
  readonly subprotocols?: readonly string[];
  /**
   * How a connection over `maxConnections` is refused. `'refuse-upgrade'` (default): HTTP 503
   * before the upgrade — cheapest, but a browser only sees a failed connection (1006). `'close'`:
   * the upgrade completes and the handshake is answered with close 4002 and a reason the player
   * can read; at most {@link FULL_CLOSE_HEADROOM} such sockets at a time, beyond which it is 503.
   */
  readonly whenFull?: 'refuse-upgrade' | 'close';
  readonly authenticate?: Authenticate;
  /**
   * Runs after `authenticate` let a request in, before the upgrade (the matchmaker checks seats
   * here): throw an {@link AdmissionRefused} to refuse it with that status. May be async; counts
   * against the same pending-handshake bounds as `authenticate`.
   */
  readonly checkAdmission?: (request: ConnectionRequest) => void | Promise<void>;
  /**
   * The smallest `maxFrameBytes` a client may advertise: the replication layer's largest entity
   * record with a frame around it (records are never cut). A Hello advertising less is closed 1002.
   */
  readonly minClientFrameBytes?: number;
  /** Verifies tokens clients send in-band to refresh an expiring one (`tickwire.refreshToken`). Without it, refreshes are refused. */
  readonly verifyToken?: VerifyToken;
  /** Hooks for metrics and packet logs; more can be added later with `observe`. */
  readonly observer?: ConnectionObserver;
  /** Hold a dropped session this long for its client to resume it, ms. 0 (default) disables resume. */
  readonly resumeGraceMs?: number;
  readonly clock?: Clock;
  readonly logger?: Logger;
  /** Wire formats beside binary, each selected by its subprotocol (`createServer` passes the JSON one). Default none. */
  readonly wireFormats?: readonly WireFormat[];
  /**
   * Where sessions live when this server is one node of several: tokens name this node, and a
   * resume naming another node is sent there (close 4010) or, its node gone, to matchmaking (4011).
   * `createServer` sets it from its messaging bus.
   */
  readonly sessionHome?: SessionHome;
}

/** Close reason of a Hello that would start a session on a draining node (code 4011). */
export const DRAINING = 'this node is draining: join a room through matchmaking';

/** Close reason of a resume whose session died with its node (code 4011). */
export const HOME_GONE = "the session's node is gone: join a room through matchmaking";

/**
 * The server side of every connection: admits sockets, runs handshakes and resumes, and hands
 * game code what arrived (`drain`) and sends what it queued (`flush`), once per tick.
 */
export class ServerEndpoint implements TransportHost, HandshakeHost {
  /** Active and held (suspended) sessions by id. */
  readonly connections = new Map<number, ServerConnection>();
  readonly settings: NetworkSettings;
  readonly codec: MessageCodec;
  /** The current tick, maintained by the caller. */
  tick = 0;
  /** Input playout counters summed over every connection (see {@link InputPlayout}); zeros when `inputRate` is 0. */
  readonly inputPlayout = new InputPlayoutTotals();
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly context: ServerConnectionContext;
  private readonly sessions = new Map<string, ServerConnection>();
  private readonly expiries = new Map<number, TimerHandle>();
  private events: ConnectionEvent[] = [];
  private pendingInbound = new Set<ServerConnection>();
  private drainingInbound = new Set<ServerConnection>();
  private handshaking = 0;
  /** Upgrade requests inside `authenticate`: they count against `maxConnections`, or a slow verifier would let a storm through. */
  private admitting = 0;
  /** Metrics and packet-log hooks of every connection. */
  readonly observers: ObserverList;
  /** Token expiry and in-band refresh of connected clients. */
  readonly tokenExpiry: TokenExpiry;
  private nextId = 1;
  private readonly limits: AdmissionLimits;
  /** Upgrades inside `authenticate`, sockets handshaking, and open sockets, by client address. */
  private readonly admittingBy = new CountsByKey();
  private readonly handshakingBy = new CountsByKey();
  private readonly openBy = new CountsByKey();
  /** Sessions held for a resume, oldest first (a Set keeps insertion order). */
  private readonly held = new Set<ServerConnection>();
  private accepting = false;
  /** Draining: no new session starts here; sessions already here (and their resumes) carry on. */
  private draining = false;
  private readonly writer = new ByteWriter(4096);
  private readonly wireFormats: readonly WireFormat[];
  /**
   * Told, synchronously, whenever a message or a connected/reconnected/disconnected event is
   * queued for the next `drain`; `tickOnArrival` sets it to run a tick at once instead of at the
   * next timer tick. One listener: it must only schedule work, never drain from inside.
   */
  onArrival: (() => void) | undefined = undefined;

  constructor(
    readonly protocol: Protocol,
    private readonly options: ServerEndpointOptions,
  ) {
    this.settings = resolveSettings(options.settings);
    this.limits = resolveAdmissionLimits(options.limits);
    this.codec = new MessageCodec(this.settings.maxMessageBytes);
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? consoleLogger();
    this.wireFormats = options.wireFormats ?? [];
    const home = options.sessionHome?.node;
    if (home !== undefined && (home === '' || new TextEncoder().encode(home).byteLength > MAX_NODE_NAME_BYTES))
      throw new TypeError(`sessionHome.node must be 1 to ${MAX_NODE_NAME_BYTES} bytes`);
    this.observers = new ObserverList((error) => this.logger.error('observer threw', { error: String(error) }));
    if (options.observer) this.observers.add(options.observer);
    this.tokenExpiry = new TokenExpiry(this.clock, this.settings.tokenWarningMs, options.verifyToken, this.logger);
    this.context = {
      protocol,
      codec: this.codec,
      settings: this.settings,
      clock: this.clock,
      logger: this.logger,
      observer: this.observers,
      heartbeats: new HeartbeatSchedule(this.clock, this.settings.heartbeatIntervalMs),
      tick: () => this.tick,
      flushTime: 0,
      closed: (connection, code, reason, byServer) => this.connectionClosed(connection, code, reason, byServer),
      pending: (connection) => {
        this.pendingInbound.add(connection);
        this.onArrival?.();
      },
      warning: (connection) => {
        this.logger.warn('outbound channel over its warning threshold', { connection: connection.id, depth: connection.channel.depth });
        this.events.push({ type: 'channelWarning', connection, depth: connection.channel.depth, bytes: connection.channel.bytes });
      },
    };
  }

  /** Start accepting connections. */
  async start(): Promise<void> {
    this.accepting = true;
    await this.options.transport.start(this);
  }

  /** True between `start()` and `shutdown()` or `beginDrain()`: new sessions are taken (readiness). */
  get acceptingConnections(): boolean {
    return this.accepting && !this.draining;
  }

  /**
   * Start draining: from now on a Hello that would start a new session is closed with 4011 (the
   * client goes to matchmaking) and readiness says no; sessions here carry on, and a dropped one
   * can still resume here, until {@link closeAll} or `shutdown`.
   */
  beginDrain(): void {
    this.draining = true;
  }

  /** True after {@link beginDrain}. */
  get isDraining(): boolean {
    return this.draining;
  }

  /** Whether `token` names a session this server holds (attached or waiting for its resume). */
  holds(token: string): boolean {
    const session = this.sessions.get(token);
    return session !== undefined && session.state !== 'closed';
  }

  /**
   * Send each client its queued messages, then close every session with `code` (not resumable:
   * the server ended it) and drop the held ones. The server keeps accepting, as before.
   */
  closeAll(code: number, reason: string): void {
    this.flush(this.tick);
    for (const connection of [...this.connections.values()]) {
      if (connection.state === 'suspended') {
        this.expire(connection);
        this.events.push({ type: 'expired', connection });
      } else connection.close(code, reason);
    }
  }

  /** Add an observer (metrics, packet log); returns the function that removes it. */
  observe(observer: ConnectionObserver): () => void {
    return this.observers.add(observer);
  }

  async admit(request: ConnectionRequest): Promise<Admission> {
    const admission = await this.decide(request);
    if (!admission.accept) {
      this.logger.debug('upgrade refused', { status: admission.status, reason: admission.reason, address: request.remoteAddress });
      if (this.observers.any) this.observers.emit('refused', admission.status, admission.reason);
    }
    // Offering a format's subprotocol (JSON) selects it: it wins over a token subprotocol, either is in the offer.
    if (!admission.accept) return admission;
    const format = this.wireFormats.find((f) => request.protocols.includes(f.subprotocol));
    if (format) return { ...admission, protocol: format.subprotocol };
    // Never echo what the client offered unless we speak it.
    if (admission.protocol === undefined && request.protocols.length > 0) return { ...admission, protocol: this.knownSubprotocol(request) };
    return admission;
  }

  /** The first offered subprotocol this server speaks, or undefined when none is. */
  private knownSubprotocol(request: ConnectionRequest): string | undefined {
    return request.protocols.find(
      (p) =>
        p === BINARY_SUBPROTOCOL ||
        p.startsWith(TOKEN_SUBPROTOCOL_PREFIX) ||
        this.wireFormats.some((f) => f.subprotocol === p) ||
        this.options.subprotocols?.includes(p) === true,
    );
  }

  /** The address per-address limits count this request against. */
  addressOf(request: ConnectionRequest): string {
    return clientAddress(request, this.options.trustProxy ?? false);
  }

  private async decide(request: ConnectionRequest): Promise<Admission> {
    if (!this.accepting) return { accept: false, status: 503, reason: 'server is shutting down' };
    if (hasOversizedToken(request)) return { accept: false, status: 431, reason: 'token too long' };
    if (request.protocols.length > 0 && this.knownSubprotocol(request) === undefined) return { accept: false, status: 400, reason: 'no supported subprotocol offered' };
    const refusal = this.overLimits(request);
    if (refusal) return refusal;
    const address = this.addressOf(request);
    if (!this.options.authenticate && !this.options.checkAdmission) return { accept: true, identity: undefined };
    this.admittingBy.add(address);
    try {
      const admission: Admission = this.options.authenticate ? await this.authenticate(request) : { accept: true, identity: undefined };
      return admission.accept ? await this.check(request, admission) : admission;
    } finally {
      this.admittingBy.remove(address);
    }
  }

  private async check(request: ConnectionRequest, admission: Accepted): Promise<Admission> {
    const check = this.options.checkAdmission;
    if (!check) return admission;
    this.admitting++;
    try {
      await check(request);
      return admission;
    } catch (error) {
      if (error instanceof AdmissionRefused) return { accept: false, status: error.status, reason: error.message };
      this.logger.error('admission check threw; refusing', { error: String(error), address: request.remoteAddress });
      return { accept: false, status: 503, reason: 'admission check failed' };
    } finally {
      this.admitting--;
    }
  }

  /** Why this request may not have a socket now (pending pool, per-address bounds, server full), or undefined. */
  private overLimits(request: ConnectionRequest): { accept: false; status: number; reason: string } | undefined {
    const limits = this.limits;
    const pending = this.handshaking + this.admitting;
    if (pending >= limits.maxPendingHandshakes) return { accept: false, status: 503, reason: 'too many handshakes in progress' };
    const address = this.addressOf(request);
    const pendingHere = this.handshakingBy.get(address) + this.admittingBy.get(address);
    if (this.openBy.get(address) + this.admittingBy.get(address) >= limits.maxConnectionsPerAddress)
      return { accept: false, status: 429, reason: 'too many connections from this address' };
    if (pendingHere >= limits.maxPendingHandshakesPerAddress) return { accept: false, status: 429, reason: 'too many handshakes from this address' };
    const max = this.options.maxConnections ?? 10_000;
    // Sockets still handshaking hold no player slot. With whenFull 'close', a few past the limit are
    // let through to be told why (4002); otherwise a full server refuses before the upgrade.
    if (this.connections.size >= max && (this.options.whenFull !== 'close' || pending >= FULL_CLOSE_HEADROOM))
      return { accept: false, status: 503, reason: 'server full' };
    return undefined;
  }

  private async authenticate(request: ConnectionRequest): Promise<Admission> {
    const authenticate = this.options.authenticate!;
    this.admitting++;
    try {
      const identity = await authenticate(request);
      if (identity === undefined || identity === null) return { accept: false, status: 401, reason: 'authentication failed' };
      // A token offered as a subprotocol must be the one selected, or the browser fails the handshake.
      const protocol = requestToken(request)?.protocol;
      return protocol === undefined ? { accept: true, identity } : { accept: true, identity, protocol };
    } catch (error) {
      if (error instanceof AdmissionRefused) return { accept: false, status: error.status, reason: error.message };
      this.logger.info('authentication threw; refusing', { error: String(error), address: request.remoteAddress });
      return { accept: false, status: 401, reason: 'authentication failed' };
    } finally {
      this.admitting--;
    }
  }

  accept(socket: Socket, request: ConnectionRequest, admission: Accepted): SocketHandlers {
    const format = admission.protocol === undefined ? undefined : this.wireFormats.find((f) => f.subprotocol === admission.protocol);
    if (format) return this.acceptTranslated(format, socket, request, admission);
    const address = this.addressOf(request);
    // Checked again now that the socket exists: upgrades arriving together all passed `admit` before any was counted here.
    const over =
      this.openBy.get(address) >= this.limits.maxConnectionsPerAddress
        ? 'too many connections from this address'
        : this.handshakingBy.get(address) >= this.limits.maxPendingHandshakesPerAddress
          ? 'too many handshakes from this address'
          : this.handshaking >= this.limits.maxPendingHandshakes
            ? 'too many handshakes in progress'
            : undefined;
    if (over !== undefined) {
      this.logger.info('socket refused', { reason: over, address });
      socket.close(CloseCode.RateLimited, over);
      return { message() {}, close() {} };
    }
    this.handshaking++;
    this.handshakingBy.add(address);
    this.openBy.add(address);
    const accepted = new AcceptedSocket(this, socket, request, admission, address);
    accepted.timer = this.clock.setTimeout(() => this.refuse(accepted, CloseCode.HandshakeTimeout, 'handshake timeout'), this.settings.handshakeTimeoutMs);
    return accepted;
  }

  /** @internal A handshaking socket's Hello (see {@link AcceptedSocket}). */
  hello(accepted: AcceptedSocket, data: Uint8Array | string): void {
    // A Hello naming another node's session waits for that node's answer: nothing else may come first.
    if (accepted.locating) {
      this.refuse(accepted, CloseCode.ProtocolError, 'a frame before Welcome');
      return;
    }
    try {
      const hello = this.readHello(accepted.socket, data);
      const home = this.foreignHome(hello);
      if (home === undefined) {
        this.welcomeAccepted(accepted, hello);
        return;
      }
      accepted.locating = true;
      void this.locate(home, hello.resumeToken).then((address) => {
        // The socket closed, or the handshake timed out, while the home was asked.
        if (accepted.timer === undefined) return;
        accepted.locating = false;
        if (address !== undefined) this.refuse(accepted, CloseCode.Redirect, address);
        else if (this.draining || this.options.sessionHome?.adopt?.(accepted.request) !== true) this.refuse(accepted, CloseCode.Rematchmake, HOME_GONE);
        else {
          try {
            this.welcomeAccepted(accepted, { ...hello, resumeToken: '' });
          } catch (error) {
            this.handshakeFailed(accepted, error);
          }
        }
      });
    } catch (error) {
      this.handshakeFailed(accepted, error);
    }
  }

  private welcomeAccepted(accepted: AcceptedSocket, hello: Hello): void {
    accepted.session = this.welcome(accepted.socket, accepted.request, accepted.admission, hello);
    this.finishHandshake(accepted);
  }

  private handshakeFailed(accepted: AcceptedSocket, error: unknown): void {
    if (error instanceof ProtocolError) this.refuse(accepted, error.code, error.message);
    else {
      this.logger.error('handshake failed', { error: String(error) });
      this.refuse(accepted, CloseCode.InternalError, 'internal error');
    }
  }

  /** @internal An accepted socket closed (see {@link AcceptedSocket}). */
  socketClosed(accepted: AcceptedSocket, code: number, reason: string): void {
    this.finishHandshake(accepted);
    this.openBy.remove(accepted.address);
    accepted.session?.socketClosed(accepted.socket, code, reason);
  }

  /** The handshake is over, whichever way: it stops counting as pending, and its timer (and the timer's closure) go. */
  private finishHandshake(accepted: AcceptedSocket): void {
    const timer = accepted.timer;
    if (timer === undefined) return;
    accepted.timer = undefined;
    this.handshaking--;
    this.handshakingBy.remove(accepted.address);
    this.clock.clearTimeout(timer);
  }

  private refuse(accepted: AcceptedSocket, code: number, reason: string): void {
    this.finishHandshake(accepted);
    this.logger.info('handshake refused', { code, reason, address: accepted.request.remoteAddress });
    accepted.socket.close(code, reason);
  }

  /** Read and check a Hello; a Mismatch is answered here. */
  private readHello(socket: Socket, data: Uint8Array | string): Hello {
    if (typeof data === 'string') throw new ProtocolError('text frames are not accepted', CloseCode.UnsupportedData);
    if (data.length > this.settings.maxFrameBytes) throw new ProtocolError('handshake frame too large', CloseCode.MessageTooBig);
    const r = new ByteReader(data);
    const kind = r.u8();
    if (kind !== FrameKind.Hello) throw new ProtocolError(`expected Hello, got frame kind ${kind}`);
    const hello = decodeHello(r);
    // Another version's Hello is read only as far as version and fingerprint: the answer is a Mismatch.
    if (hello.version === PROTOCOL_VERSION && r.remaining > 0) throw new ProtocolError('trailing bytes after Hello');
    if (hello.version !== PROTOCOL_VERSION || hello.fingerprint !== this.protocol.fingerprint) {
      socket.send(encodeMismatch({ version: PROTOCOL_VERSION, fingerprint: this.protocol.fingerprint, description: [...this.protocol.description] }));
      throw new ProtocolError(
        `protocol mismatch: client v${hello.version}/${hello.fingerprint.toString(16)}, server v${PROTOCOL_VERSION}/${this.protocol.fingerprint.toString(16)}`,
        CloseCode.ProtocolMismatch,
      );
    }
    const smallest = this.options.minClientFrameBytes ?? 0;
    if (hello.limits.maxFrameBytes < smallest)
      throw new ProtocolError(`advertised maxFrameBytes ${hello.limits.maxFrameBytes} cannot hold one entity record of this protocol: at least ${smallest}`);
    return hello;
  }

  /** The other node a Hello's resume token names, when this server does not hold its session; else undefined. */
  private foreignHome(hello: Hello): string | undefined {
    const home = this.options.sessionHome;
    if (!home || hello.resumeToken === '' || this.sessions.has(hello.resumeToken)) return undefined;
    const node = tokenHome(hello.resumeToken);
    return node === undefined || node === home.node ? undefined : node;
  }

  /** The address of the node holding a token's session, or undefined when it is gone (a failed answer counts as gone). */
  private async locate(node: string, token: string): Promise<string | undefined> {
    try {
      return await this.options.sessionHome!.locate(node, token);
    } catch (error) {
      this.logger.info('a session home did not answer; treating it as gone', { node, error: String(error) });
      return undefined;
    }
  }

  /** Resume the session a Hello names, or start a new one (refused with 4011 while draining, 4002 when full). */
  private welcome(socket: Socket, request: ConnectionRequest, admission: Accepted, hello: Hello): ServerConnection {
    const held = hello.resumeToken ? this.sessions.get(hello.resumeToken) : undefined;
    // Someone else's token (a leaked or guessed one under another identity) must not touch the victim's session.
    if (held && !sameSubject(held.identity, admission.identity)) throw new ProtocolError('the session belongs to another identity', CloseCode.AuthFailed);
    if (held && held.state !== 'closed' && held.channel.canReplayAfter(hello.received)) return this.resume(held, socket, admission, hello.limits);
    if (held) this.expire(held);
    if (this.draining) throw new ProtocolError(DRAINING, CloseCode.Rematchmake);
    const max = this.options.maxConnections ?? 10_000;
    if (this.connections.size >= max) throw new ProtocolError(`the server is full (${max} of ${max} places taken)`, CloseCode.Full);
    const session = new ServerConnection(this.nextId++, admission.identity, request, createSessionToken(this.options.sessionHome?.node), this.context);
    this.connections.set(session.id, session);
    if ((this.options.resumeGraceMs ?? 0) > 0) this.sessions.set(session.sessionToken, session);
    session.attach(socket, false, hello.limits);
    this.sendWelcome(socket, session, false);
    if (this.observers.any) this.observers.emit('connected', session, false);
    this.events.push({ type: 'connected', connection: session });
    this.onArrival?.();
    this.tokenExpiry.track(session);
    this.logger.info('connected', { connection: session.id, address: request.remoteAddress });
    return session;
  }

  /**
   * Give a held session its new socket. A session still attached is taken over: its old socket is
   * closed with 4003 "resumed elsewhere" (final: that client must not fight back), so no session is
   * ever left without a socket unless it is held. The session token rotates on every resume.
   */
  private resume(held: ServerConnection, socket: Socket, admission: Accepted, limits: PeerLimits): ServerConnection {
    if (held.state === 'active') {
      held.detach(CloseCode.Kicked, RESUMED_ELSEWHERE);
      this.logger.info('session taken over by a resume', { connection: held.id });
      if (this.observers.any) this.observers.emit('disconnected', held, CloseCode.Kicked, RESUMED_ELSEWHERE);
      this.events.push({ type: 'disconnected', connection: held, code: CloseCode.Kicked, reason: RESUMED_ELSEWHERE, resumable: true });
    }
    const expiry = this.expiries.get(held.id);
    if (expiry) this.clock.clearTimeout(expiry);
    this.expiries.delete(held.id);
    this.tokenExpiry.forget(held);
    this.held.delete(held);
    this.sessions.delete(held.sessionToken);
    held.sessionToken = createSessionToken(this.options.sessionHome?.node);
    this.sessions.set(held.sessionToken, held);
    // The new upgrade was authenticated afresh: its identity (and expiry) replaces the old.
    if (this.options.authenticate) held.identity = admission.identity;
    held.attach(socket, true, limits);
    this.sendWelcome(socket, held, true);
    if (this.observers.any) this.observers.emit('connected', held, true);
    this.events.push({ type: 'reconnected', connection: held });
    this.onArrival?.();
    this.tokenExpiry.track(held);
    this.logger.info('session resumed', { connection: held.id });
    return held;
  }

  /**
   * What Welcome says this server accepts: its settings, but never a frame larger than the
   * transport lets through (a `ws` `maxPayload` below `maxFrameBytes` would otherwise close 1009).
   */
  private get advertised(): PeerLimits {
    const own = advertisedLimits(this.settings);
    const transport = this.options.transport.maxFrameBytes;
    if (transport === undefined || transport >= own.maxFrameBytes) return own;
    const maxFrameBytes = Math.max(MIN_FRAME_BYTES, transport);
    return { ...own, maxFrameBytes, maxMessageBytes: Math.min(own.maxMessageBytes, maxFrameBytes) };
  }

  private sendWelcome(socket: Socket, session: ServerConnection, resumed: boolean): void {
    const frame = encodeWelcome({
      connectionId: session.id,
      tickRate: this.options.tickRate,
      tick: this.tick,
      serverTime: this.clock.wallTime(),
      sessionToken: (this.options.resumeGraceMs ?? 0) > 0 ? session.sessionToken : '',
      resumed,
      received: session.receiver.received,
      limits: this.advertised,
      rates: {
        messagesPerSecond: this.settings.messagesPerSecond,
        messageBurst: this.settings.messageBurst,
        bytesPerSecond: this.settings.bytesPerSecond,
        byteBurst: this.settings.byteBurst,
      },
    });
    session.stats.bytesOut += frame.length;
    socket.send(frame);
  }

  /** A peer that chose another wire format (JSON): the same handshake and session, behind its translation. */
  private acceptTranslated(format: WireFormat, socket: Socket, request: ConnectionRequest, admission: Accepted): SocketHandlers {
    if (!socket.sendText) {
      socket.close(CloseCode.InternalError, 'this transport cannot send text frames');
      return { message() {}, close() {} };
    }
    const context = { protocol: this.protocol, settings: this.settings, clock: this.clock, logger: this.logger, session: (id: number) => this.connections.get(id) };
    return format.accept(socket, context, (binary) => this.accept(binary, request, { ...admission, protocol: undefined }));
  }

  private connectionClosed(connection: ServerConnection, code: number, reason: string, byServer: boolean): void {
    const grace = this.options.resumeGraceMs ?? 0;
    // A JSON peer never acknowledges, so nothing could be replayed: its format's sessions are not held.
    const resumable =
      !byServer &&
      grace > 0 &&
      this.accepting &&
      code !== CloseCode.Normal &&
      !FINAL_CLOSE_CODES.has(code) &&
      !this.wireFormats.some((f) => !f.resumable && f.speaks(connection));
    this.logger.info('disconnected', { connection: connection.id, code, reason, resumable });
    this.tokenExpiry.forget(connection);
    if (this.observers.any) this.observers.emit('disconnected', connection, code, reason);
    this.events.push({ type: 'disconnected', connection, code, reason, resumable });
    this.onArrival?.();
    if (resumable) {
      connection.suspend();
      this.hold(connection);
      this.expiries.set(
        connection.id,
        this.clock.setTimeout(() => {
          if (connection.state !== 'suspended') return;
          this.expire(connection);
          this.events.push({ type: 'expired', connection });
        }, grace),
      );
      return;
    }
    connection.markClosed();
    this.forget(connection);
  }

  /** Count a newly held session; over the per-address or per-identity bound, that one's oldest held sessions expire. */
  private hold(connection: ServerConnection): void {
    this.held.add(connection);
    const address = this.addressOf(connection.request);
    const subject = identitySubject(connection.identity);
    const sameAddress: ServerConnection[] = [];
    const sameSubject: ServerConnection[] = [];
    for (const other of this.held) {
      if (this.addressOf(other.request) === address) sameAddress.push(other);
      if (subject !== undefined && identitySubject(other.identity) === subject) sameSubject.push(other);
    }
    const evict = new Set([
      ...sameAddress.slice(0, Math.max(0, sameAddress.length - this.limits.maxHeldSessionsPerAddress)),
      ...sameSubject.slice(0, Math.max(0, sameSubject.length - this.limits.maxHeldSessionsPerIdentity)),
    ]);
    for (const oldest of evict) {
      this.logger.info('held session dropped: too many held for its address or identity', { connection: oldest.id, address });
      this.expire(oldest);
      this.events.push({ type: 'expired', connection: oldest });
    }
  }

  private expire(connection: ServerConnection): void {
    connection.markClosed();
    this.forget(connection);
  }

  private forget(connection: ServerConnection): void {
    this.connections.delete(connection.id);
    this.held.delete(connection);
    this.sessions.delete(connection.sessionToken);
    const expiry = this.expiries.get(connection.id);
    if (expiry) this.clock.clearTimeout(expiry);
    this.expiries.delete(connection.id);
  }

  /**
   * Hand over everything that arrived since the last call: connection events in order, then every
   * queued message with its source. Inputs advance the connection's acknowledged input sequence.
   */
  drain(onEvent: (event: ConnectionEvent) => void, onMessage: (source: ServerConnection, message: ReceivedMessage) => void): void {
    if (this.events.length > 0) {
      const events = this.events;
      this.events = [];
      for (const event of events) onEvent(event);
    }
    if (this.pendingInbound.size === 0) return;
    // Two sets taking turns: a tick allocates none. What arrives meanwhile (or waits for budget) goes to the other.
    const pending = this.pendingInbound;
    this.pendingInbound = this.drainingInbound;
    this.pendingInbound.clear();
    this.drainingInbound = pending;
    const cap = this.settings.maxInputsPerTick > 0 ? this.settings.maxInputsPerTick : Number.POSITIVE_INFINITY;
    const playAt = this.settings.inputRate > 0 ? this.settings.inputRate / this.options.tickRate : 0;
    for (const connection of pending) {
      const inbound = connection.inbound;
      connection.inbound = [];
      let inputs = 0;
      let budget = cap;
      let drop = 0;
      if (playAt > 0) {
        // The playout buffer decides how many of the queued inputs this tick gets (input-playout.ts).
        let queued = 0;
        for (let i = 0; i < inbound.length; i++) if (inbound[i]!.type.input) queued++;
        connection.playout ??= new InputPlayout(playAt, undefined, this.inputPlayout);
        const decision = connection.playout.decide(this.tick + 1, queued);
        budget = Math.min(cap, decision.apply);
        drop = decision.drop;
      }
      for (let i = 0; i < inbound.length; i++) {
        const message = inbound[i]!;
        if (message.type.input) {
          if (drop > 0) {
            // Far behind: the oldest are acknowledged unapplied; the client's prediction corrects.
            drop--;
            connection.lastInput = message.seq;
            continue;
          }
          if (inputs >= budget) {
            // Over this tick's input budget: the rest waits, in order, ahead of anything newer.
            connection.inbound = inbound.slice(i).concat(connection.inbound);
            this.pendingInbound.add(connection);
            break;
          }
          inputs++;
          connection.lastInput = message.seq;
        }
        if (message.type === RefreshTokenMessage) {
          // Credentials are the connection layer's business, never game code's.
          this.tokenExpiry.refresh(connection, (message.data as { token: string }).token);
          continue;
        }
        onMessage(connection, message);
      }
    }
  }

  /** Send every connection its frame for `tick`. */
  flush(tick: number, writeState?: (connection: ServerConnection, w: ByteWriter) => void, splitState?: StateSplitter): void {
    this.tick = tick;
    this.context.flushTime = this.clock.now();
    for (const connection of this.connections.values()) {
      try {
        connection.flush(this.writer, tick, writeState, splitState);
      } catch (error) {
        connection.fail(error);
      }
    }
  }

  /** Send `connections` the messages queued for them since their last frame, now, between ticks (see {@link ServerConnection.flushMessages}). */
  flushMessages(connections: Iterable<ServerConnection>): void {
    for (const connection of connections) {
      try {
        connection.flushMessages(this.writer);
      } catch (error) {
        connection.fail(error);
      }
    }
  }

  /** Active connections (not held ones). */
  *active(): IterableIterator<ServerConnection> {
    for (const connection of this.connections.values()) if (connection.state === 'active') yield connection;
  }

  /**
   * Graceful shutdown: refuse new connections, send each client its queued messages, close every
   * connection with 4004, drop held sessions, and stop the transport.
   */
  async shutdown(reason = 'server shutdown'): Promise<void> {
    if (!this.accepting && this.connections.size === 0) {
      await this.options.transport.stop();
      return;
    }
    this.accepting = false;
    this.flush(this.tick);
    for (const connection of [...this.connections.values()]) {
      if (connection.state === 'suspended') {
        this.expire(connection);
        this.events.push({ type: 'expired', connection });
      } else connection.close(CloseCode.ServerShutdown, reason);
    }
    await this.options.transport.stop();
  }
}
