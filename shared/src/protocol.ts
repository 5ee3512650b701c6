import { defineProtocol } from 'tickwire';
import { Bot, Orb, Player, Position } from './components';
import { ChatLine, Join, Leaderboard, Move, Round, Say, Whisper, Zap, ZapResult } from './messages';

/**
 * Everything the demo's server and client register. Both import this one value, so their
 * fingerprints agree by construction; a stale client gets a clear protocol-mismatch error.
 */
export const protocol = defineProtocol({
  components: [Position, Player, Orb, Bot],
  messages: [Join, Move, Say, ChatLine, Leaderboard, Zap, ZapResult, Round, Whisper],
});

/**
 * The demo's one room type: a browser finds its arena with `POST /matchmake/joinOrCreate/arena`
 * (the client's `matchmakeOverHttp(serverUrl, ARENA_ROOM)`), the server defines it under this name.
 */
export const ARENA_ROOM = 'arena';
