// The game's server systems, run every tick between `net.receive()` and `net.replicate()`.
// server/main.ts runs them over real sockets; test/game.test.ts runs them under tickwire/testing.
import { type World, addComponent, addEntity, removeEntity } from 'bitecs';
import { type NetworkServer, Networked } from 'tickwire';
import { FIELD, Move, Player, Position, applyMove } from '../shared/protocol';

export function gameSystem(world: World, net: NetworkServer): void {
  for (const event of net.events()) {
    if (event.type === 'connected') {
      const eid = addEntity(world);
      addComponent(world, eid, Position);
      addComponent(world, eid, Player);
      addComponent(world, eid, Networked);
      Position.x[eid] = FIELD.width / 2;
      Position.y[eid] = FIELD.height / 2;
      Player.hue[eid] = (event.connection.id * 67) % 360;
      Player.moves[eid] = 0;
      net.setOwner(eid, event.connection);
    }
    if (event.type === 'disconnected' && !event.resumable) {
      for (const eid of net.owned(event.connection)) removeEntity(world, eid);
    }
  }
  // The entity comes from the server's ownership record, never from what the client says.
  for (const { eid, data } of net.ownedInputs(Move)) {
    applyMove(eid, data);
    Player.moves[eid]! += 1;
  }
}
