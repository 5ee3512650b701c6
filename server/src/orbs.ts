import { Orb, Player, Position, canCollect, orbRadius } from '@tickwire/demo-shared';
import { addComponent, addEntity, query, removeEntity } from 'bitecs';
import { Networked } from 'tickwire';
import type { Game } from './game';
import { randomSpot } from './movement';
import { ViewGroup, placeInGroup, placeInViewGroup } from './view-groups';

let orbsSpawned = 0;

/** Put one orb, worth 1 to 3 (rarely 5), at a random spot (in view group `group`, by default the next in turn). */
export function spawnOrb(game: Game, group?: number): number {
  const { world, random } = game;
  const turn = orbsSpawned++;
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
  if (group === undefined) placeInViewGroup(game, eid, turn);
  else placeInGroup(game, eid, group);
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
  if (players.length === 0) return;
  // Each orb is checked against the players of its own view group only: against every player it
  // would be orbs × players per tick, which grows with every connection.
  const playersByGroup = new Map<number, number[]>();
  for (const player of players) {
    const group = ViewGroup.of[player]!;
    const members = playersByGroup.get(group);
    if (members) members.push(player);
    else playersByGroup.set(group, [player]);
  }
  const collected: number[] = [];
  const groups: number[] = [];
  const at = { x: 0, y: 0 };
  const by = { x: 0, y: 0 };
  for (const orb of orbs) {
    const members = playersByGroup.get(ViewGroup.of[orb]!);
    if (!members) continue;
    at.x = Position.x[orb]!;
    at.y = Position.y[orb]!;
    for (const player of members) {
      by.x = Position.x[player]!;
      by.y = Position.y[player]!;
      if (!canCollect(by, at)) continue;
      Player.score[player] = Player.score[player]! + Orb.value[orb]!;
      collected.push(orb);
      groups.push(ViewGroup.of[orb]!);
      break;
    }
  }
  // Removed after the loop: removing while iterating a bitECS query would skip entities.
  for (let i = 0; i < collected.length; i++) {
    removeEntity(world, collected[i]!);
    // Respawned in the same view group, so every group keeps its share of orbs.
    spawnOrb(game, groups[i]!);
  }
}
