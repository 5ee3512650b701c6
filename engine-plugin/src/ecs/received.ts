import type { Connection } from '../connection/connection.js';

/** One message as a server system reads it: who sent it, and the validated payload. */
export interface Received<T> {
  readonly source: Connection;
  readonly data: T;
}
