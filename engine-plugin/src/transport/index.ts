/**
 * The browser-safe transports. Nothing reachable from here may import `ws` or `node:*`: this is
 * what the client bundle pulls in. The Node-only transports are in `./node`.
 */
export * from './clock.js';
export * from './close-reason.js';
export * from './link-conditioner.js';
export * from './memory.js';
export * from './transport.js';
export * from './websocket-client.js';
