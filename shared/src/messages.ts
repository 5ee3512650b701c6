import { defineInput, defineMessage, t } from 'tickwire';
import { MAX_CHAT_BYTES, MAX_NAME_BYTES } from './rules';

/** Client → server, once connected: spawn me with this name. */
export const Join = defineMessage('join', { name: t.string({ maxBytes: MAX_NAME_BYTES }) }, { direction: 'toServer' });

/**
 * One step in the direction the player holds, each axis -1, 0 or 1: a client sends
 * `INPUT_RATE` a second while a key is down and none while idle. The server applies each with
 * the shared `applyMove` (one step per input) and never takes a position from a client.
 */
export const Move = defineInput('move', {
  x: t.i8({ min: -1, max: 1 }),
  y: t.i8({ min: -1, max: 1 }),
});

/** Client → server: a chat line typed by the player. */
export const Say = defineMessage('say', { text: t.string({ maxBytes: MAX_CHAT_BYTES }) }, { direction: 'toServer' });

/** Server → clients: a chat line; `system` marks the server's own notices (who joined, who left). */
export const ChatLine = defineMessage(
  'chat-line',
  {
    from: t.string({ maxBytes: MAX_NAME_BYTES }),
    hue: t.u16({ max: 359 }),
    text: t.string({ maxBytes: MAX_CHAT_BYTES }),
    system: t.bool(),
  },
  { direction: 'toClient' },
);

/**
 * Player → player, as a tickwire direct message to the other's identity (the server relays it to
 * whichever node holds them; the sender is the message's `from`, named by their presence).
 */
export const Whisper = defineMessage('whisper', { text: t.string({ maxBytes: MAX_CHAT_BYTES }) });

/** The topic players' chat lines are published on: every subscriber on every node of a cluster reads them. */
export const CHAT_TOPIC = 'chat.lobby';

/** Server → clients, about once a second: the top players. Only the latest matters, so it may be dropped. */
export const Leaderboard = defineMessage(
  'leaderboard',
  {
    entries: t.array(
      t.object({
        name: t.string({ maxBytes: MAX_NAME_BYTES }),
        hue: t.u16({ max: 359 }),
        score: t.u32(),
      }),
      { maxLength: 10 },
    ),
  },
  { direction: 'toClient', droppable: true },
);

/**
 * Client → server: zap at (x, y), aimed at something the player saw there. `seenTick` is the
 * (fractional) server tick the client was drawing other entities at: the server judges the zap
 * against where bots and players were then (lag compensation), not where they are by the time it
 * arrives. A plain message, not an input: it must not take a Move's slot in the input buffer.
 */
export const Zap = defineMessage('zap', { x: t.f32(), y: t.f32(), seenTick: t.f64({ min: 0 }) }, { direction: 'toServer' });

/** Server → the shooter: how a zap went (drawn as a flash at the aim point). */
export const ZapResult = defineMessage(
  'zap-result',
  { x: t.f32(), y: t.f32(), hit: t.enum(['miss', 'bot', 'player']) },
  { direction: 'toClient' },
);

/**
 * Server → clients, when a round starts and to each joiner: the round's number, the server tick it
 * ends at, and who won the round before (empty for none). Scores reset when a round starts.
 */
export const Round = defineMessage(
  'round',
  {
    round: t.u32(),
    endsAtTick: t.u32(),
    lastWinner: t.string({ maxBytes: MAX_NAME_BYTES }),
    lastWinnerScore: t.u32(),
  },
  { direction: 'toClient' },
);
