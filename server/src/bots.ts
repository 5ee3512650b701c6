import { ARENA, BOT_RADIUS, BOT_SPEED, Bot, Position, clampToArena } from '@tickwire/demo-shared';
import { addComponent, addEntity, query } from 'bitecs';
import { Networked } from 'tickwire';
import { ENTITY_CAPACITY, type Game } from './game';
import { randomSpot } from './movement';
import { placeInGroup, placeInViewGroup } from './view-groups';

/** Where a bot is heading (radians) and how long until it picks a new heading (seconds). Server-only. */
export const Wander = {
  heading: new Float32Array(ENTITY_CAPACITY),
  turnIn: new Float32Array(ENTITY_CAPACITY),
};

/** Put `count` bots in the arena (in view group `group`, by default dealt in turn). */
export function spawnBots(game: Game, count: number, group?: number): void {
  const { world, random } = game;
  for (let i = 0; i < count; i++) {
    const eid = addEntity(world);
    const spot = randomSpot(random, BOT_RADIUS);
    addComponent(world, eid, Position);
    Position.x[eid] = spot.x;
    Position.y[eid] = spot.y;
    addComponent(world, eid, Bot);
    addComponent(world, eid, Wander);
    Wander.heading[eid] = random() * Math.PI * 2;
    Wander.turnIn[eid] = random() * 3;
    addComponent(world, eid, Networked);
    if (group === undefined) placeInViewGroup(game, eid, i);
    else placeInGroup(game, eid, group);
  }
}

/** Bots drift along a heading, turn now and then, and bounce off the walls. */
export function wanderBots({ world, net, random }: Game, dt: number): void {
  for (const eid of query(world, [Bot, Position, Wander])) {
    let turnIn = Wander.turnIn[eid]! - dt;
    let heading = Wander.heading[eid]!;
    if (turnIn <= 0) {
      heading += (random() - 0.5) * Math.PI;
      turnIn = 1 + random() * 3;
    }
    let x = Position.x[eid]! + Math.cos(heading) * BOT_SPEED * dt;
    let y = Position.y[eid]! + Math.sin(heading) * BOT_SPEED * dt;
    // Reflect off a wall rather than sliding along it, so bots spread back into the arena.
    if (x <= BOT_RADIUS || x >= ARENA.width - BOT_RADIUS) heading = Math.PI - heading;
    if (y <= BOT_RADIUS || y >= ARENA.height - BOT_RADIUS) heading = -heading;
    x = clampToArena(x, ARENA.width, BOT_RADIUS);
    y = clampToArena(y, ARENA.height, BOT_RADIUS);
    Position.x[eid] = x;
    Position.y[eid] = y;
    net.markChanged(eid, Position);
    Wander.heading[eid] = heading;
    Wander.turnIn[eid] = turnIn;
  }
}
