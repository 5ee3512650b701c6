import { CloseCode } from '../protocol/close-codes.js';

/** A seat from matchmaking as the client uses it: the room owner's address and the credential (a `SeatReservation` is one). */
export interface MatchedSeat {
  /** The room owner's WebSocket URL. */
  readonly address: string;
  /** Presented as `?seat=` on the upgrade request. */
  readonly seat: string;
  /** The room the seat is in, when the matchmaker said (a `SeatReservation` does): for showing, never for routing. */
  readonly room?: { readonly roomId: string };
}

/** Why the client asks its matchmaker for a seat. */
export type MatchmakeReason =
  /** Before the first connect. */
  | 'first'
  /** The server closed with 4011: its node is draining, or the session died with its node. */
  | 'rematchmake'
  /** The session's node did not answer a reconnect: the seat is a way back into the cluster (the node it leads to sends the client home if home is alive). */
  | 'unreachable'
  /** The last seat led nowhere (refused, expired, or its node failed). */
  | 'retry';

/** What a client's `matchmake` function is told. */
export interface MatchmakeAttempt {
  readonly reason: MatchmakeReason;
  /** Attempts that failed since the last Welcome. */
  readonly failedAttempts: number;
  /**
   * The node address (a seat's `address`, or the session's home; without `?seat=`) that the latest
   * failed attempt dialed and got no answer from — no connection, or no Welcome in time — since the
   * last Welcome. Its node may be dead while its rooms are still listed (until its lease runs
   * out): pass it on so the matchmaker seats the client elsewhere (`matchmakeOverHttp` sends it
   * as `?unreachable=`). Undefined when every dial since the last Welcome was answered.
   */
  readonly unreachable?: string;
}

/**
 * Finds the client a room: typically a `POST /matchmake/joinOrCreate/<type>` to the game's HTTP API
 * (`matchmakeOverHttp` is that). Resolve to the seat to dial; to `undefined` when the server has no
 * matchmaking at all, so the client dials its transport's own URL without a seat (a server that
 * does not require seats lets it in). Throw (or reject) when matchmaking refused or failed: that
 * attempt failed, and the next one — a new seat asked for — waits for the reconnect backoff.
 */
export type Matchmake = (attempt: MatchmakeAttempt) => MatchedSeat | undefined | Promise<MatchedSeat | undefined>;

/** Consecutive redirects (4010) followed without a Welcome before the client stops trusting them. */
export const MAX_REDIRECTS = 3;

/** What the route decided about a closed socket. */
export interface RouteVerdict {
  /** Try again now, not after the backoff delay (a redirect, or the first way around an unreachable home). */
  readonly immediate: boolean;
  /** The session is over on the server's word (4011): the next Hello must not present its token. */
  readonly forgetSession: boolean;
}

/** The seat query parameter (as the matchmaker reads it). */
const SEAT_PARAMETER = 'seat';

/**
 * Where the client's session lives and how to reach it: the home node's address (from its seat,
 * or from a redirect), the seat the session was made with, and when to go through matchmaking
 * instead — before the first connect, after 4011, and after a reconnect the home did not answer.
 * The client dials what {@link next} says; the transport's own URL when it says undefined.
 */
export class SessionRoute {
  /** The address the session lives at (undefined: the transport's own URL). */
  private home: string | undefined;
  /** The seat the current session was made with: presented again on every reconnect to its home. */
  private sessionSeat: MatchedSeat | undefined;
  /** What the attempt in flight dialed. */
  private dialing:
    | { readonly url: string | undefined; readonly address: string | undefined; readonly seat: MatchedSeat | undefined; readonly probe: boolean }
    | undefined;
  /** The address the latest failed attempt got no answer from (see {@link MatchmakeAttempt.unreachable}). */
  private unreachable: string | undefined;
  private reason: MatchmakeReason | undefined;
  private redirects = 0;

  constructor(private readonly matchmake: Matchmake | undefined) {
    this.reason = matchmake ? 'first' : undefined;
  }

  /** The seat the current session came with (undefined before one, or without matchmaking). */
  get seat(): MatchedSeat | undefined {
    return this.sessionSeat;
  }

  /** Whether the next attempt must ask the matchmaker for a seat first ({@link matchmade}); else {@link next}. */
  get matchmakeDue(): boolean {
    return this.matchmake !== undefined && this.reason !== undefined;
  }

  /**
   * Ask the matchmaker for a seat; the URL to dial with it (undefined: the matchmaker found no
   * matchmaking on the server, so the transport's own URL, without a seat).
   */
  async matchmade(failedAttempts: number): Promise<string | undefined> {
    const reason = this.reason ?? 'retry';
    // The attempt is a probe from here on: a matchmaker that throws failed like a seat that led
    // nowhere (the next attempt waits for the backoff), not like a home that did not answer —
    // that goes around at once, and with a matchmaker that keeps failing it went around forever.
    this.dialing = { url: undefined, address: undefined, seat: undefined, probe: true };
    const unreachable = this.unreachable;
    const seat = await this.matchmake!(unreachable === undefined ? { reason, failedAttempts } : { reason, failedAttempts, unreachable });
    if (seat !== undefined && (typeof seat.address !== 'string' || typeof seat.seat !== 'string'))
      throw new TypeError('matchmake must return { address, seat } or undefined');
    this.reason = undefined;
    const url = seat === undefined ? undefined : withSeat(seat.address, seat.seat);
    this.dialing = { url, address: seat?.address, seat, probe: true };
    return url;
  }

  /** The URL for the next attempt when no seat is due: home, with the session's seat; undefined for the transport's own. */
  next(): string | undefined {
    const url = this.home === undefined ? undefined : this.sessionSeat ? withSeat(this.home, this.sessionSeat.seat) : this.home;
    this.dialing = { url, address: this.home, seat: this.sessionSeat, probe: false };
    return url;
  }

  /** A Welcome arrived on the attempt in flight. */
  welcomed(resumed: boolean): void {
    this.redirects = 0;
    this.unreachable = undefined;
    const dialing = this.dialing;
    if (!dialing) return;
    if (resumed) {
      // A seat from the matchmaker led home: home is there; the session keeps the seat it was made with.
      if (dialing.probe) this.home = dialing.seat?.address;
      return;
    }
    // A new session lives where it was made, with the seat it was made with.
    this.sessionSeat = dialing.seat;
    this.home = dialing.seat?.address ?? (dialing.probe ? undefined : this.home);
  }

  /** The socket closed; `welcomed`: a Welcome had arrived on it. */
  closed(code: number, reason: string, welcomed: boolean): RouteVerdict {
    const dialing = this.dialing;
    this.dialing = undefined;
    if (code === CloseCode.Redirect && reason !== '' && this.redirects < MAX_REDIRECTS) {
      this.redirects++;
      this.home = resolveAddress(reason, dialing?.url);
      return { immediate: true, forgetSession: false };
    }
    if (code === CloseCode.Rematchmake) {
      this.sessionSeat = undefined;
      this.home = undefined;
      this.reason = this.matchmake ? 'rematchmake' : undefined;
      return { immediate: false, forgetSession: true };
    }
    if (welcomed) return { immediate: false, forgetSession: false };
    // The attempt failed before a Welcome. No connection (1006: refused, reset; a browser reports a
    // refused upgrade so too) or no Welcome in time: the node may be dead.
    if (dialing?.address !== undefined && (code === CloseCode.AbnormalClosure || code === CloseCode.HandshakeTimeout)) this.unreachable = dialing.address;
    if (dialing?.probe) {
      this.reason = 'retry';
      return { immediate: false, forgetSession: false };
    }
    if (this.home !== undefined || this.matchmake) {
      // Home did not answer: it may be dead. Go back in through the matchmaker (or the transport's
      // own URL) carrying the token: a live home is redirected to, a dead one's session starts anew.
      this.home = undefined;
      if (this.matchmake) this.reason = 'unreachable';
      return { immediate: this.redirects === 0, forgetSession: false };
    }
    return { immediate: false, forgetSession: false };
  }
}

/** `address` with `?seat=` set. */
function withSeat(address: string, seat: string): string {
  try {
    const url = new URL(address);
    url.searchParams.set(SEAT_PARAMETER, seat);
    return url.toString();
  } catch {
    const separator = address.includes('?') ? '&' : '?';
    return `${address}${separator}${SEAT_PARAMETER}=${encodeURIComponent(seat)}`;
  }
}

/** A redirect's address, made absolute against what was dialed when it is a path. */
function resolveAddress(address: string, base: string | undefined): string {
  try {
    return new URL(address, base).toString();
  } catch {
    return address;
  }
}
