/**
 * The browser-safe transports. Nothing reachable from here may import `ws` or `node:*`: this is
 * what the client bundle pulls in. The Node-only transports are in `./node`.
 */
export * from './clock';
export * from './close-reason';
export * from './link-conditioner';
export * from './memory';
export * from './transport';
export * from './websocket-client';
