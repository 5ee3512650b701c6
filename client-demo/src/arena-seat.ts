/**
 * The player's arena, found through matchmaking: `POST /matchmake/joinOrCreate/arena` answers
 * with a seat in a room with space, and the WebSocket connects to that room's server with
 * `?seat=`. A reconnect keeps the seat, so a dropped player whose session is held resumes through
 * it; after a refused or failed attempt the seat may be stale (it expired, or the server
 * restarted and forgot it — a browser cannot tell a 401 from a network error), so a new one is
 * asked for. A server without matchmaking (or another origin without CORS) is joined without one.
 */
import { type SeatReservation, seatUrl } from 'tickwire';
import { serverEndpoint } from './launch-options';

/** `ws(s)://host[:port]/ws` → `http(s)://host[:port]/matchmake/joinOrCreate/arena`. */
export function arenaEndpoint(serverUrl: string): string {
  return serverEndpoint(serverUrl, '/matchmake/joinOrCreate/arena');
}

/** The seat to connect with, asked for again when it may have gone stale. */
export class ArenaSeat {
  private reservation: SeatReservation | undefined;

  constructor(
    private readonly endpoint: string,
    private readonly serverUrl: string,
  ) {}

  /** The arena joined last (undefined before matchmaking answered, or without matchmaking). */
  get room(): SeatReservation['room'] | undefined {
    return this.reservation?.room;
  }

  /** For `webSocketClient`: the URL to dial now, with the seat. */
  readonly url = (): string => (this.reservation ? seatUrl(this.reservation) : this.serverUrl);

  /** For `createClient`'s `token` function, before every (re)connect: a seat, fresh when the last may be stale. */
  async forConnect({ refused, failedAttempts }: { refused: boolean; failedAttempts: number }): Promise<void> {
    if (this.reservation && !refused && failedAttempts === 0) return;
    this.reservation = undefined;
    try {
      const response = await fetch(this.endpoint, { method: 'POST' });
      if (response.ok) this.reservation = (await response.json()) as SeatReservation;
    } catch {
      // No matchmaking there: connect without a seat.
    }
  }
}
