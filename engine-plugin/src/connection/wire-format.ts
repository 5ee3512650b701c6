import type { Protocol } from '../schema/protocol.js';
import type { Clock } from '../transport/clock.js';
import type { Socket, SocketHandlers } from '../transport/transport.js';
import type { Logger } from './logger.js';
import type { ServerConnection } from './server-connection.js';
import type { NetworkSettings } from './settings.js';

/** What a translating wire format needs from the endpoint. */
export interface WireFormatContext {
  readonly protocol: Protocol;
  readonly settings: NetworkSettings;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The session a Welcome announced (looked up once, when the Welcome goes out). */
  session(connectionId: number): ServerConnection | undefined;
}

/**
 * A wire format beside the binary one, selected by a WebSocket subprotocol and translated at the
 * socket seam: the endpoint hands it the socket, and it hands the endpoint a binary-speaking
 * stand-in, so handshake, validation, bounds and close codes stay the binary ones. The endpoint
 * knows formats only through this seam, which lets one that belongs to a higher layer (the JSON
 * envelope is messaging's, messaging/json-format.ts) plug in without the connection layer
 * importing it.
 */
export interface WireFormat {
  /** The subprotocol that selects it; offering it wins over a token subprotocol. */
  readonly subprotocol: string;
  /** Whether its sessions may be held for resume (false when its peers never acknowledge). */
  readonly resumable: boolean;
  /** Accept a socket that chose it; `acceptBinary` gets the binary stand-in and returns the endpoint's handlers. */
  accept(socket: Socket, context: WireFormatContext, acceptBinary: (socket: Socket) => SocketHandlers): SocketHandlers;
  /** True when a session was opened through this format. */
  speaks(connection: object): boolean;
}
