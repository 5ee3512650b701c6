/** Node-only pieces of tickwire: the `ws`-based server and client transports. Never import from browser code. */
export * from './transport/node';
