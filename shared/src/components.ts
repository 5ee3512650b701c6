import { defineComponent, defineTag, t } from 'tickwire';

/**
 * Where an entity is in the arena, in world units. Quantised to 0.01 so a slow walker costs a
 * byte or two per tick, and interpolated so clients can draw between server ticks.
 */
export const Position = defineComponent('position', {
  x: t.f32({ precision: 0.01, interpolate: true }),
  y: t.f32({ precision: 0.01, interpolate: true }),
});

/** A player: the colour they were given, the name they joined with, and their score. */
export const Player = defineComponent('player', {
  hue: t.u16({ max: 359 }),
  name: t.string({ maxBytes: 32 }),
  score: t.u32(),
});

/** Something to collect; `value` is the score it is worth and decides how big it is drawn. */
export const Orb = defineComponent('orb', {
  value: t.u8({ min: 1, max: 5 }),
});

/** A server-driven wanderer that keeps the arena busy even with one player. */
export const Bot = defineTag('bot');
