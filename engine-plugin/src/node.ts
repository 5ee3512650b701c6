/** Node-only pieces of tickwire: the `ws`-based server and client transports. Never import from browser code. */
export * from './transport/node';
export { type JwtSigner, type JwtSignerOptions, type JwtVerifier, type JwtVerifierOptions, type TokenIdentity, jwtSigner, jwtVerifier } from './auth/jwt-verifier';
export { type AllowOriginsOptions, allowOrigins } from './auth/allow-origins';
export { type MetricsOptions, type ServerMetrics, createMetrics } from './metrics/prometheus';
export { type HealthOptions, type HealthReport, type ServerHealth, createHealth } from './metrics/health';
