import { type World, addComponent, addEntity } from 'bitecs';
import { Networked } from '../../engine-plugin/src/index';
import { Position } from './chat-protocol';

/** A networked entity with the chat protocol's Position at (x, 0), in the server's world. */
export function spawnNetworked(world: World, x = 0): number {
  const eid = addEntity(world);
  addComponent(world, eid, Position);
  Position.x[eid] = x;
  addComponent(world, eid, Networked);
  return eid;
}
