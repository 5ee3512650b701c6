import { ARENA, KNOCKBACK_SECONDS, PLAYER_RADIUS, Player, Position, clampToArena } from '@tickwire/demo-shared';
import { query } from 'bitecs';
import { ENTITY_CAPACITY, type Game } from './game';

/** Below this speed (units/s) a knockback is over. */
const STOPPED = 1;

/**
 * Knockback velocity per player, world units per second. Server-only: the client does not
 * predict a push, it follows the server's smooth motion through small per-tick corrections.
 */
export const Knockback = {
  vx: new Float32Array(ENTITY_CAPACITY),
  vy: new Float32Array(ENTITY_CAPACITY),
};

/** A new player (or a recycled entity id) starts still. */
export function clearKnockback(eid: number): void {
  Knockback.vx[eid] = 0;
  Knockback.vy[eid] = 0;
}

/**
 * Push `eid` along the unit vector (nx, ny) so that what is left of its knockback along that
 * direction carries it at least `distance` units further. A push already under way counts, so
 * a bot that stays in contact for several ticks keeps up one shove rather than stacking them.
 */
export function knock(eid: number, nx: number, ny: number, distance: number): void {
  const wanted = distance / KNOCKBACK_SECONDS;
  const along = Knockback.vx[eid]! * nx + Knockback.vy[eid]! * ny;
  if (along >= wanted) return;
  Knockback.vx[eid] = Knockback.vx[eid]! + nx * (wanted - along);
  Knockback.vy[eid] = Knockback.vy[eid]! + ny * (wanted - along);
}

/**
 * System: move every knocked player along its decaying velocity for one tick of `dt` seconds.
 * Integrated exactly (v·τ·(1 − e^(−dt/τ)) per tick), so the total distance does not depend on the
 * tick rate. A wall stops the push along its axis.
 */
export function applyKnockback({ world, net }: Game, dt: number): void {
  const keep = Math.exp(-dt / KNOCKBACK_SECONDS);
  const travel = KNOCKBACK_SECONDS * (1 - keep);
  for (const eid of query(world, [Player, Position])) {
    const vx = Knockback.vx[eid]!;
    const vy = Knockback.vy[eid]!;
    if (vx === 0 && vy === 0) continue;
    const toX = Position.x[eid]! + vx * travel;
    const toY = Position.y[eid]! + vy * travel;
    const x = clampToArena(toX, ARENA.width, PLAYER_RADIUS);
    const y = clampToArena(toY, ARENA.height, PLAYER_RADIUS);
    Position.x[eid] = x;
    Position.y[eid] = y;
    net.markChanged(eid, Position);
    const over = Math.hypot(vx, vy) * keep < STOPPED;
    Knockback.vx[eid] = over || x !== toX ? 0 : vx * keep;
    Knockback.vy[eid] = over || y !== toY ? 0 : vy * keep;
  }
}
