import { BOT_RADIUS, BOT_SHOVE, Bot, PLAYER_RADIUS, Player, Position } from '@tickwire/demo-shared';
import { query } from 'bitecs';
import type { Game } from './game';
import { knock } from './knockback';
import { ViewGroup } from './view-groups';

const CONTACT = PLAYER_RADIUS + BOT_RADIUS;

/**
 * Bots shove the players they touch: a knockback that carries the player `BOT_SHOVE` units away
 * along the line between their centres, over about a second (`applyKnockback` moves it). The
 * client cannot foresee it (bots are drawn in the past), so its prediction is corrected in the
 * real game, a few units a tick. Checked per view group, like orbs.
 */
export function shovePlayers(game: Game): void {
  const { world } = game;
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
      knock(player, nx, ny, CONTACT - distance + BOT_SHOVE);
    }
  }
}
