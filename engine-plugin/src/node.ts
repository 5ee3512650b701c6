/// <reference types="node" preserve="true" />
/** Node-only pieces of tickwire: the `ws`-based server and client transports. Never import from browser code. */
export * from './transport/node.js';
export { type JwtSigner, type JwtSignerOptions, type JwtVerifier, type JwtVerifierOptions, type TokenIdentity, jwtSigner, jwtVerifier } from './auth/jwt-verifier.js';
export { type AllowOriginsOptions, allowOrigins } from './auth/allow-origins.js';
export { type CorsOptions, type CrossOrigin, crossOrigin } from './auth/cross-origin.js';
export { type MetricsOptions, type ServerMetrics, createMetrics } from './metrics/prometheus.js';
export { type MetricsListener, type MetricsListenerOptions, type RouteHandler, listenForMetrics } from './metrics/listener.js';
export { type HealthOptions, type HealthReport, type ServerHealth, createHealth } from './metrics/health.js';
export { type MatchmakingAction, type MatchmakingEndpoint, type MatchmakingEndpointOptions, matchmakingEndpoint } from './matchmaking/http-endpoint.js';
