import { Orb, Player, Position, canCollect, orbRadius } from '@tickwire/demo-shared';
import { addComponent, addEntity, query, removeEntity } from 'bitecs';
import { Networked } from 'tickwire';
import type { Game } from './game';
import { randomSpot } from './movement';
import { ViewGroup, placeInViewGroup, sameViewGroup } from './view-groups';

let orbsSpawned = 0;

/** Put one orb, worth 1 to 3 (rarely 5), at a random spot (in view group `group`, by default the next in turn). */
export function spawnOrb(game: Game, group = orbsSpawned): number {
  const { world, random } = game;
  orbsSpawned++;
  const eid = addEntity(world);
  const roll = random();
  const value = roll < 0.6 ? 1 : roll < 0.85 ? 2 : roll < 0.97 ? 3 : 5;
  const spot = randomSpot(random, orbRadius(value) * 2);
  addComponent(world, eid, Position);
  Position.x[eid] = spot.x;
  Position.y[eid] = spot.y;
  addComponent(world, eid, Orb);
  Orb.value[eid] = value;
  addComponent(world, eid, Networked);
  placeInViewGroup(game, eid, group);
  return eid;
}

/**
 * Players collect the orbs they touch; each collected orb respawns elsewhere, so the field
 * always holds the configured number.
 */
export function collectOrbs(game: Game): void {
  const { world } = game;
  const orbs = query(world, [Orb, Position]);
  const players = query(world, [Player, Position]);
  const collected: number[] = [];
  const groups: number[] = [];
  for (const orb of orbs) {
    const at = { x: Position.x[orb]!, y: Position.y[orb]! };
    for (const player of players) {
      if (!sameViewGroup(orb, player) || !canCollect({ x: Position.x[player]!, y: Position.y[player]! }, at)) continue;
      Player.score[player] = Player.score[player]! + Orb.value[orb]!;
      collected.push(orb);
      groups.push(ViewGroup.of[orb]! - 1);
      break;
    }
  }
  // Removed after the loop: removing while iterating a bitECS query would skip entities.
  for (let i = 0; i < collected.length; i++) {
    removeEntity(world, collected[i]!);
    // Respawned in the same view group, so every group keeps its share of orbs.
    spawnOrb(game, Math.max(0, groups[i]!));
  }
}
