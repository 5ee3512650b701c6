import { CloseCode, type ClientEvent, MatchmakingRequestError } from 'tickwire';

/** RFC 6455's "closed without a close frame": the socket failed or dropped. tickwire's CloseCode has no name for it. */
const ABNORMAL_CLOSURE = 1006;

/** A message for the player about the connection, or none when all is well. */
export interface Notice {
  readonly title: string;
  readonly detail: string;
}

/**
 * Turns connection events into what the player should read. A protocol mismatch outranks the
 * close that follows it: "reload the page" is the useful advice, not "disconnected (4006)".
 */
export class ConnectionNotice {
  /** The notice to show now; undefined while connected. */
  current: Notice | undefined;
  private wasConnected = false;
  private mismatch = false;
  /** Why matchmaking refused the attempt whose close comes next (it closes as 1006 'matchmaking failed'). */
  private refusal: MatchmakingRequestError | undefined;

  constructor(private readonly serverUrl: string) {
    this.current = { title: 'Connecting…', detail: serverUrl };
  }

  handle(event: ClientEvent): void {
    switch (event.type) {
      case 'connected':
        this.wasConnected = true;
        this.current = undefined;
        return;
      case 'error':
        if (event.error.name === 'ProtocolMismatchError') {
          this.mismatch = true;
          this.current = {
            title: 'Version mismatch',
            detail: `This page is out of date with the server. Reload to get the current version. (${event.error.message})`,
          };
        }
        if (event.error instanceof MatchmakingRequestError) this.refusal = event.error;
        return;
      case 'disconnected': {
        if (this.mismatch) return;
        const refusal = this.refusal;
        this.refusal = undefined;
        const { title, detail } = refusal ? describeRefusal(refusal) : describeClose(event.code, event.reason, this.wasConnected, this.serverUrl);
        const next = event.willRetry ? 'Reconnecting…' : 'Reload the page to try again.';
        this.current = { title, detail: `${detail} ${next}`.trim() };
        return;
      }
      case 'reconnecting':
        if (this.mismatch || !this.current) return;
        this.current = {
          title: this.current.title,
          detail: `${this.current.detail.replace(/ Reconnecting….*$/, '')} Reconnecting in ${Math.ceil(event.delayMs / 1000)} s (attempt ${event.attempt})…`,
        };
        return;
    }
  }
}

function describeClose(code: number, reason: string, wasConnected: boolean, url: string): Notice {
  switch (code) {
    case CloseCode.Full:
      return { title: 'Server full', detail: reason ? `${reason[0]!.toUpperCase()}${reason.slice(1)}.` : 'Every player slot is taken.' };
    case CloseCode.ServerShutdown:
      return { title: 'Server shut down', detail: 'The server is restarting or going away.' };
    case CloseCode.Rematchmake:
      // The node is draining (a cluster node shutting down), or the session died with its node:
      // the client asks matchmaking for a new seat, which may be on another node.
      return { title: 'Moving to another arena', detail: 'This server is handing its players over.' };
    case CloseCode.Kicked:
      return { title: 'Removed from the game', detail: reason };
    case CloseCode.ProtocolMismatch:
      return { title: 'Version mismatch', detail: 'This page is out of date with the server.' };
    case CloseCode.IdleTimeout:
      return { title: 'Connection timed out', detail: 'Nothing arrived from the server for a while.' };
    case ABNORMAL_CLOSURE:
      return wasConnected
        ? { title: 'Connection lost', detail: 'The connection to the server dropped.' }
        : { title: 'Cannot reach the server', detail: `No game server answered at ${url}.` };
    default:
      return { title: 'Disconnected', detail: `${reason || 'The connection closed'} (code ${code}).` };
  }
}

/** Matchmaking answered, but with no seat: the server is up, so "cannot reach" would mislead. */
function describeRefusal(refusal: MatchmakingRequestError): Notice {
  switch (refusal.failure) {
    case 'full':
    case 'locked':
      return { title: 'No free arena', detail: 'Every arena is full right now.' };
    case 'rate-limited':
    case 'unavailable':
      return { title: 'Matchmaking is busy', detail: 'The server could not find an arena just now.' };
    default:
      return { title: 'No arena found', detail: `Matchmaking refused (${refusal.status}${refusal.failure ? ` ${refusal.failure}` : ''}).` };
  }
}
