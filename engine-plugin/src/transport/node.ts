/** The Node-only transports (they import `ws` and `node:http`); never import this from browser code. */
export * from './node-websocket-client.js';
export * from './websocket-server.js';
