import type { Connection } from '../connection/connection.js';
import type { Room } from './room.js';

/**
 * Something happened to one of this node's rooms; visible to game code for exactly one tick
 * (`net.matchmaker.events()`), like connection events. `joined` comes in the tick of the
 * session's `connected`, after which the connection is in the room's interest room; `left` when
 * its session ends for good (a held session that resumes never leaves).
 */
export type RoomEvent =
  | { readonly type: 'created'; readonly room: Room }
  | { readonly type: 'joined'; readonly room: Room; readonly connection: Connection }
  | { readonly type: 'left'; readonly room: Room; readonly connection: Connection }
  | { readonly type: 'disposed'; readonly room: Room };
