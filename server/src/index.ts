/** The demo server as a library, for tests and embedding: start it, then stop it. */
export { type DemoServer, type DemoServerOptions, startDemoServer } from './demo-server';
export { DEFAULT_CONFIG, type DemoConfig, parseCommandLine } from './config';
