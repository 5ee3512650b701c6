/**
 * The game's rules, shared so that the client predicts its own movement with exactly the code
 * the server runs. Pure functions and constants only: no world, no network.
 */

/** The playing field, in world units; (0, 0) is the top-left corner. */
export const ARENA = { width: 2400, height: 1600 } as const;

/** Radius of a player's circle; also how far from the walls its centre stays. */
export const PLAYER_RADIUS = 18;

/** Radius of a bot's circle. */
export const BOT_RADIUS = 10;

/** Player speed, world units per second. */
export const PLAYER_SPEED = 280;

/** Bot speed, world units per second: slower than players, so they read as scenery. */
export const BOT_SPEED = 90;

/** How far a bot shoves a player it touches, world units: a force the client cannot predict. */
export const BOT_SHOVE = 40;

/**
 * Time constant of a knockback (a bot's shove, a zap), seconds: a push is a velocity that decays
 * as e^(-t / KNOCKBACK_SECONDS), so its distance is covered over about a second (95 % in 3 time
 * constants) instead of in one tick. The authoritative motion is then smooth, and each tick's
 * unpredicted part is a few units, not the whole push.
 */
export const KNOCKBACK_SECONDS = 0.5;

/** Length of a round, seconds: whoever has the most points when it ends wins, then scores reset. */
export const ROUND_SECONDS = 90;

/** How far from the shooter a zap reaches, world units (about half a screen). */
export const ZAP_RANGE = 600;

/** How close to a target's centre, as the shooter saw it, a zap must land to hit. */
export const ZAP_HIT_RADIUS = 24;

/** Least time between two zaps of one player, ms. */
export const ZAP_COOLDOWN_MS = 500;

/** Points for zapping a bot (it is knocked to a random spot). */
export const ZAP_BOT_POINTS = 2;

/** How far a zapped player is knocked away from the shooter, world units (who also takes one of their points). */
export const ZAP_KNOCKBACK = 60;

/** How close (centre to centre) a player must get to an orb to collect it. */
export const ORB_PICKUP_RADIUS = PLAYER_RADIUS + 8;

/** Drawn radius of an orb worth `value` points. */
export function orbRadius(value: number): number {
  return 4 + value * 1.5;
}

/** Longest player name, UTF-8 bytes. */
export const MAX_NAME_BYTES = 24;

/** Longest chat line, UTF-8 bytes. */
export const MAX_CHAT_BYTES = 160;

/** Players listed on the leaderboard. */
export const LEADERBOARD_SIZE = 10;

/** A direction held on the keyboard: each axis -1, 0 or 1. */
export interface MoveDirection {
  readonly x: number;
  readonly y: number;
}

/** A point in the arena. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** Keep a centre coordinate inside `[radius, size - radius]`. */
export function clampToArena(value: number, size: number, radius: number): number {
  return Math.min(size - radius, Math.max(radius, value));
}

/**
 * Move inputs a client sends per second while a direction is held. Each input is one step of
 * `PLAYER_SPEED / INPUT_RATE` units, so the step depends only on the input, never on a clock or the
 * server's tick rate: the client can predict it exactly. Equal to the default tick rate, so the
 * server usually applies one input per tick.
 */
export const INPUT_RATE = 20;

/**
 * Where a player at (x, y) holding `input` is after `dt` seconds. Diagonals are normalised so
 * they are not faster than straight lines, and the player stops at the arena's walls.
 */
export function movePoint(x: number, y: number, input: MoveDirection, dt: number, speed = PLAYER_SPEED): Point {
  const dx = Math.sign(input.x);
  const dy = Math.sign(input.y);
  if (dx === 0 && dy === 0) return { x, y };
  const scale = (speed * dt) / Math.hypot(dx, dy);
  return {
    x: clampToArena(x + dx * scale, ARENA.width, PLAYER_RADIUS),
    y: clampToArena(y + dy * scale, ARENA.height, PLAYER_RADIUS),
  };
}

/** True when a player centred at `player` touches an orb centred at `orb`. */
export function canCollect(player: Point, orb: Point): boolean {
  const dx = player.x - orb.x;
  const dy = player.y - orb.y;
  return dx * dx + dy * dy <= ORB_PICKUP_RADIUS * ORB_PICKUP_RADIUS;
}

const encoder = new TextEncoder();

/** Longest player name, in grapheme clusters (what a reader counts as characters). */
export const MAX_NAME_GRAPHEMES = 16;

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * A name fit to show: NFC-normalised; control, format (bidi overrides and isolates, zero-width
 * spaces and joiners, BOM) and private-use characters removed; whitespace collapsed; cut on a
 * grapheme-cluster boundary to {@link MAX_NAME_GRAPHEMES} clusters and {@link MAX_NAME_BYTES}
 * bytes; `fallback` when nothing is left. Stripping joiners splits joined emoji into their parts:
 * a name cannot smuggle invisible or reordering text, which matters more.
 */
export function cleanName(name: string, fallback = 'player'): string {
  const visible = name
    .normalize('NFC')
    .replace(/[\p{Cf}\p{Co}\p{Cs}]/gu, '')
    .replace(/\s+/g, ' ')
    .replace(/\p{Cc}/gu, '')
    .trim();
  let out = '';
  let count = 0;
  for (const { segment } of graphemes.segment(visible)) {
    if (count === MAX_NAME_GRAPHEMES || encoder.encode(out + segment).length > MAX_NAME_BYTES) break;
    out += segment;
    count++;
  }
  out = out.trim();
  return out || fallback;
}
