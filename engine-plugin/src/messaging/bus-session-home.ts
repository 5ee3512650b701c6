import type { SessionHome } from '../connection/session-home.js';
import type { ConnectionRequest } from '../transport/transport.js';
import type { MessagingBus } from './bus.js';

/** The bus method a node answers "do you hold this session, and where do clients reach you?" with. */
export const LOCATE_SESSION_METHOD = 'tickwire.session.locate';

/** How long a node waits for a session's home to answer before treating it as gone, ms. */
export const LOCATE_TIMEOUT_MS = 500;

/** What the home answers: its address while it holds the session, else null. */
interface LocateAnswer {
  readonly address: string | null;
}

/** What {@link busSessionHome} needs from the server it serves. */
export interface BusSessionHomeContext {
  /** The bus to ask other nodes over; read when asked (the server makes its bus after its endpoint). */
  readonly bus: () => MessagingBus;
  /** This node's address for clients (`ws://host:port/ws`): what a redirect names. */
  readonly address: string;
  /** Whether this node holds the session a token names. */
  holds(token: string): boolean;
  /** Whether a client whose session died with its node may start a new session here (see {@link SessionHome.adopt}). */
  adopt(request: ConnectionRequest): boolean;
}

/**
 * Session homes over the messaging bus: a node asks the node a token names (one bus request,
 * {@link LOCATE_TIMEOUT_MS} at most) whether it still holds that session. Asking the home itself,
 * rather than reading its lease, answers for the session and not just the process, and tells a
 * node killed a moment ago (its lease still running for seconds) from a live one in half a second.
 * Call {@link serve} once the bus exists, so this node answers the others.
 */
export function busSessionHome(node: string, context: BusSessionHomeContext): SessionHome & { serve(): void } {
  return {
    node,
    async locate(home, token) {
      const answer = (await context.bus().request(home, LOCATE_SESSION_METHOD, token, LOCATE_TIMEOUT_MS)) as LocateAnswer | undefined;
      return typeof answer?.address === 'string' ? answer.address : undefined;
    },
    adopt: (request) => context.adopt(request),
    serve() {
      context.bus().serve(LOCATE_SESSION_METHOD, (token): LocateAnswer => ({ address: typeof token === 'string' && context.holds(token) ? context.address : null }));
    },
  };
}
