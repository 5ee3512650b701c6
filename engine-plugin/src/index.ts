/**
 * tickwire — multiplayer networking for bitECS games. This entry runs in browsers and Node;
 * Node-only pieces (the ws server and client, metrics, token verification) are in `tickwire/node`.
 */
export { CloseCode, type CloseCodeValue, FINAL_CLOSE_CODES, closeCodeName } from './protocol/close-codes.js';
export { ProtocolError } from './protocol/protocol-error.js';
export { PROTOCOL_VERSION } from './protocol/frames.js';
export {
  type Component,
  type ComponentShape,
  type ComponentStore,
  cloneComponent,
  componentInfo,
  defineComponent,
  defineTag,
} from './schema/component.js';
export {
  type ArrayField,
  type BoolField,
  type BytesField,
  type ComponentField,
  type EnumField,
  type Field,
  type FieldValue,
  type NumberField,
  type NumberOptions,
  type NumericKind,
  type ObjectField,
  type Quantization,
  type Shape,
  type ShapeValue,
  type StringField,
  t,
} from './schema/fields.js';
export { type Direction, type MessageData, type MessageOptions, type MessageType, defineInput, defineMessage } from './schema/message.js';
export { InvalidMessageError, MessageTooLargeError } from './schema/message-codec.js';
export { type ClonedProtocol, type Protocol, type ProtocolDefinition, cloneProtocol, defineProtocol } from './schema/protocol.js';
export { AuthStatusMessage, ErrorMessage, RefreshTokenMessage } from './schema/system-messages.js';
export { type Clock, ManualClock, systemClock } from './transport/clock.js';
export { TokenBucket } from './connection/rate-limit.js';
export { RateLimitsByKey } from './connection/rate-limits-by-key.js';
export type { LinkConditions, DirectionalLinkConditions } from './transport/link-conditioner.js';
export { type Link, type MemoryClientOptions, type MemoryNetwork, createMemoryNetwork } from './transport/memory.js';
export type { Admission, ClientCredentials, ClientTransport, ConnectionRequest, ServerTransport, Socket } from './transport/transport.js';
export {
  type WebSocketClientOptions,
  type WebSocketClientSocket,
  type WebSocketClientTransport,
  type WebSocketConstructor,
  type WebSocketLike,
  webSocketClient,
} from './transport/websocket-client.js';
export type { Connection, ConnectionState, ConnectionStats } from './connection/connection.js';
export type { ConnectionEvent } from './connection/connection-events.js';
export type { ClientEvent, ClientState, TokenAttempt } from './connection/client-connection.js';
export { MAX_REDIRECTS, type MatchedSeat, type Matchmake, type MatchmakeAttempt, type MatchmakeReason } from './connection/session-route.js';
export type { SessionHome } from './connection/session-home.js';
export { type FieldsFirstLogger, type LogFields, type LogLevel, type Logger, consoleLogger, fieldsFirstLogger, silentLogger } from './connection/logger.js';
export { DEFAULT_SETTINGS, type NetworkSettings } from './connection/settings.js';
export type { Authenticate } from './connection/server-endpoint.js';
export { AdmissionRefused } from './connection/admission-refused.js';
export type { ConnectionObserver } from './connection/observer.js';
export { packetLog } from './connection/packet-log.js';
export { InputPlayout, InputPlayoutTotals, MAX_PLAYOUT_DEPTH } from './connection/input-playout.js';
export { MAX_TOKEN_LENGTH, type RequestToken, TOKEN_SUBPROTOCOL_PREFIX, type TokenSource, hasOversizedToken, requestToken } from './connection/token.js';
export { type AdmissionLimits, DEFAULT_ADMISSION_LIMITS } from './connection/admission-limits.js';
export { type TrustProxy, clientAddress } from './connection/client-address.js';
export type { ExpiringIdentity, VerifyToken } from './connection/token-expiry.js';
export { type BackoffOptions, exponentialBackoff } from './client/backoff.js';
export { MatchmakingRequestError, type MatchmakeOverHttpOptions, matchmakeOverHttp } from './client/matchmake-over-http.js';
export type { Interpolation, InterpolationOptions, InterpolationStats } from './client/interpolation.js';
export type { PredictedEntity, PredictionOptions } from './client/predicted-entity.js';
export type { Prediction } from './client/prediction.js';
export type { RenderTimelineOptions } from './client/render-timeline.js';
export type { TimeSync, TimeSyncOptions } from './client/time-sync.js';
export { type ClientOptions, NetworkClient, createClient } from './ecs/client.js';
export { fixedTick } from './ecs/fixed-tick.js';
export { tickOnArrival } from './ecs/tick-on-arrival.js';
export { Networked } from './ecs/networked.js';
export type { Received } from './ecs/received.js';
export { DRAIN_TIMEOUT_REASON, type DrainOptions, NetworkServer, type ServerOptions, createServer } from './ecs/server.js';
export type { ServerReplicationOptions, SpatialOptions } from './replication/server-replication.js';
export type { BandwidthOptions, PriorityFunction } from './replication/bandwidth-budget.js';
export { type NaNValue, STRING_SWEEP, type UnmarkedChange } from './replication/change-detection.js';
export { History, type HistoryOptions } from './replication/history.js';
export { type ReplyData, type RequestData, type RequestType, defineRequest } from './schema/request.js';
export { RequestError, RequestFailure } from './messaging/pending-requests.js';
export type { PresenceEvent, PresenceMetadata } from './messaging/presence.js';
export { topicMatches } from './messaging/topics.js';
export { JSON_SUBPROTOCOL } from './messaging/json-format.js';
export { type BusDelivery, BusUnavailable, type CarriedMessage, type LocalPresence, type MessagingBus, localBus } from './messaging/bus.js';
export type { IncomingRequest } from './messaging/server-messaging.js';
export { type MessagingAction, type ServerMessagingOptions, anonymousIdentityKey, defaultIdentityKey } from './messaging/messaging-options.js';
export type { Directed, Publication, RequestOptions, ServerRequest, SubscribeResult } from './messaging/client-messaging.js';
export type {
  CreationLock,
  FilterValue,
  JoinRefusal,
  NodeLoad,
  RegisterOptions,
  RegisterResult,
  Reservation,
  RoomChange,
  RoomDirectory,
  RoomListing,
  RoomMetadata,
  RoomOptions,
  RoomQuery,
  SeatClaim,
  SeatRequest,
} from './matchmaking/room-directory.js';
export { type EmbeddedRoomDirectoryOptions, embeddedRoomDirectory } from './matchmaking/embedded-room-directory.js';
export {
  CREATE_ROOM_METHOD,
  type ListRoomsOptions,
  type SeatingHints,
  Matchmaker,
  type MatchmakerContext,
  type MatchmakingOptions,
  type SeatReservation,
} from './matchmaking/matchmaker.js';
export { MatchmakingError, type MatchmakingFailure } from './matchmaking/matchmaking-error.js';
export { Room } from './matchmaking/room.js';
export type { RoomEvent } from './matchmaking/room-events.js';
export type { RoomTypeOptions } from './matchmaking/room-type.js';
export { MAX_SEAT_LENGTH, SEAT_PARAMETER, requestSeat, seatUrl } from './matchmaking/seat.js';
