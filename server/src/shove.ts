import { BOT_RADIUS, BOT_SHOVE, Bot, PLAYER_RADIUS, Player, Position, ARENA, clampToArena } from '@tickwire/demo-shared';
import { query } from 'bitecs';
import type { Game } from './game';
import { ViewGroup } from './view-groups';

const CONTACT = PLAYER_RADIUS + BOT_RADIUS;

/**
 * Bots shove the players they touch: out of the overlap and `BOT_SHOVE` further along the line
 * between their centres. The client cannot foresee it (bots are drawn in the past), so its
 * prediction is corrected, smoothly, in the real game. Checked per view group, like orbs.
 */
export function shovePlayers(game: Game): void {
  const { world, net } = game;
  const players = query(world, [Player, Position]);
  if (players.length === 0) return;
  const playersByGroup = new Map<number, number[]>();
  for (const player of players) {
    const group = ViewGroup.of[player]!;
    const members = playersByGroup.get(group);
    if (members) members.push(player);
    else playersByGroup.set(group, [player]);
  }
  for (const bot of query(world, [Bot, Position])) {
    const members = playersByGroup.get(ViewGroup.of[bot]!);
    if (!members) continue;
    const bx = Position.x[bot]!;
    const by = Position.y[bot]!;
    for (const player of members) {
      const dx = Position.x[player]! - bx;
      const dy = Position.y[player]! - by;
      const distance = Math.hypot(dx, dy);
      if (distance >= CONTACT) continue;
      // Dead centre: shove along x, so the push always has a direction.
      const nx = distance > 1e-6 ? dx / distance : 1;
      const ny = distance > 1e-6 ? dy / distance : 0;
      const push = CONTACT - distance + BOT_SHOVE;
      Position.x[player] = clampToArena(Position.x[player]! + nx * push, ARENA.width, PLAYER_RADIUS);
      Position.y[player] = clampToArena(Position.y[player]! + ny * push, ARENA.height, PLAYER_RADIUS);
      net.markChanged(player, Position);
    }
  }
}
