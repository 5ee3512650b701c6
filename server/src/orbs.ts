import { Orb, Player, Position, canCollect, orbRadius } from '@tickwire/demo-shared';
import { addComponent, addEntity, query, removeEntity } from 'bitecs';
import { Networked } from 'tickwire';
import type { Game } from './game';
import { randomSpot } from './movement';

/** Put one orb, worth 1 to 3 (rarely 5), at a random spot. */
export function spawnOrb({ world, random }: Game): number {
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
  for (const orb of orbs) {
    const at = { x: Position.x[orb]!, y: Position.y[orb]! };
    for (const player of players) {
      if (!canCollect({ x: Position.x[player]!, y: Position.y[player]! }, at)) continue;
      Player.score[player] = Player.score[player]! + Orb.value[orb]!;
      collected.push(orb);
      break;
    }
  }
  // Removed after the loop: removing while iterating a bitECS query would skip entities.
  for (const orb of collected) {
    removeEntity(world, orb);
    spawnOrb(game);
  }
}
