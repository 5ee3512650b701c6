// Definitions both sides import: components (replicated state), inputs, and the rules both run.
import { defineComponent, defineInput, defineProtocol, t } from 'tickwire';

/** The playing field, in pixels. */
export const FIELD = { width: 640, height: 480 } as const;
/** Server ticks per second; clients send one input per tick. */
export const TICK_RATE = 20;
/** Pixels a dot moves per input. */
export const SPEED = 6;

/** Where a player's dot is; interpolated between server states on the client. */
export const Position = defineComponent('position', {
  x: t.f32({ precision: 0.1, interpolate: true }),
  y: t.f32({ precision: 0.1, interpolate: true }),
});
/** A player: the hue of its dot and how many inputs it has made. */
export const Player = defineComponent('player', { hue: t.u16({ max: 359 }), moves: t.u32() });
/** Which way a player steers this tick. */
export const Move = defineInput('move', { dx: t.i8({ min: -1, max: 1 }), dy: t.i8({ min: -1, max: 1 }) });

export const protocol = defineProtocol({ messages: [Move], components: [Position, Player] });

/** The rule both sides run: the server applies each Move with it, the client predicts its own dot with it. */
export function applyMove(eid: number, input: { dx: number; dy: number }): void {
  Position.x[eid] = Math.min(FIELD.width, Math.max(0, Position.x[eid]! + input.dx * SPEED));
  Position.y[eid] = Math.min(FIELD.height, Math.max(0, Position.y[eid]! + input.dy * SPEED));
}
