/**
 * tickwire — multiplayer networking for bitECS games. This entry runs in browsers and Node;
 * Node-only pieces (the ws server and client, metrics, token verification) are in `tickwire/node`.
 */
export { CloseCode, type CloseCodeValue, FINAL_CLOSE_CODES, closeCodeName } from './protocol/close-codes';
export { ProtocolError } from './protocol/protocol-error';
export { PROTOCOL_VERSION } from './protocol/frames';
export {
  type Component,
  type ComponentShape,
  type ComponentStore,
  cloneComponent,
  componentInfo,
  defineComponent,
  defineTag,
} from './schema/component';
export { type Field, type FieldValue, type NumberOptions, type Shape, type ShapeValue, t } from './schema/fields';
export { type Direction, type MessageData, type MessageOptions, type MessageType, defineInput, defineMessage } from './schema/message';
export { InvalidMessageError } from './schema/message-codec';
export { type ClonedProtocol, type Protocol, type ProtocolDefinition, cloneProtocol, defineProtocol } from './schema/protocol';
export { AuthStatusMessage, ErrorMessage, RefreshTokenMessage } from './schema/system-messages';
export { type Clock, ManualClock, systemClock } from './transport/clock';
export type { LinkConditions, DirectionalLinkConditions } from './transport/link-conditioner';
export { type Link, type MemoryClientOptions, type MemoryNetwork, createMemoryNetwork } from './transport/memory';
export type { Admission, ClientTransport, ConnectionRequest, ServerTransport, Socket } from './transport/transport';
export { type WebSocketClientOptions, webSocketClient } from './transport/websocket-client';
export type { Connection, ConnectionState, ConnectionStats } from './connection/connection';
export type { ConnectionEvent } from './connection/connection-events';
export type { ClientEvent, ClientState } from './connection/client-connection';
export { type FieldsFirstLogger, type LogFields, type LogLevel, type Logger, consoleLogger, fieldsFirstLogger, silentLogger } from './connection/logger';
export { DEFAULT_SETTINGS, type NetworkSettings } from './connection/settings';
export type { Authenticate } from './connection/server-endpoint';
export { AdmissionRefused } from './connection/admission-refused';
export type { ConnectionObserver } from './connection/observer';
export { packetLog } from './connection/packet-log';
export { MAX_TOKEN_LENGTH, type RequestToken, TOKEN_SUBPROTOCOL_PREFIX, type TokenSource, requestToken } from './connection/token';
export type { ExpiringIdentity, VerifyToken } from './connection/token-expiry';
export { type BackoffOptions, exponentialBackoff } from './client/backoff';
export type { Interpolation, InterpolationOptions, InterpolationStats } from './client/interpolation';
export type { PredictedEntity, PredictionOptions } from './client/predicted-entity';
export type { Prediction } from './client/prediction';
export type { RenderTimelineOptions } from './client/render-timeline';
export type { TimeSync, TimeSyncOptions } from './client/time-sync';
export { type ClientOptions, NetworkClient, createClient } from './ecs/client';
export { fixedTick } from './ecs/fixed-tick';
export { tickOnArrival } from './ecs/tick-on-arrival';
export { Networked } from './ecs/networked';
export type { Received } from './ecs/received';
export { NetworkServer, type ServerOptions, createServer } from './ecs/server';
export { type ReplyData, type RequestData, type RequestType, defineRequest } from './schema/request';
export { RequestError, RequestFailure } from './connection/pending-requests';
export type { PresenceEvent, PresenceMetadata } from './connection/presence';
export { topicMatches } from './connection/topics';
export { JSON_SUBPROTOCOL } from './connection/json-format';
export type { IncomingRequest } from './ecs/server-messaging';
export { type MessagingAction, type ServerMessagingOptions, defaultIdentityKey } from './ecs/messaging-options';
export type { Directed, Publication, RequestOptions, ServerRequest, SubscribeResult } from './ecs/client-messaging';
