import type { Connection } from './connection.js';

/** Something happened to a connection; visible to game code for exactly one tick. */
export type ConnectionEvent =
  | { readonly type: 'connected'; readonly connection: Connection }
  | {
      readonly type: 'disconnected';
      readonly connection: Connection;
      readonly code: number;
      readonly reason: string;
      /** The session is held for a grace period and may come back (`reconnected`) or not (`expired`). */
      readonly resumable: boolean;
    }
  | { readonly type: 'reconnected'; readonly connection: Connection }
  | { readonly type: 'expired'; readonly connection: Connection }
  | { readonly type: 'error'; readonly connection: Connection; readonly error: Error }
  | { readonly type: 'channelWarning'; readonly connection: Connection; readonly depth: number; readonly bytes: number };
