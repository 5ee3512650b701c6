// server.ts — authoritative, headless
import { addComponent, addEntity, createWorld, removeEntity } from 'bitecs';
import { Networked, createServer, fixedTick } from 'tickwire';
import { webSocketServer } from 'tickwire/node';
import { Chat, Move, Player, Position, protocol } from './shared';

const world = createWorld();
// A dropped player's session is held 10 s for a resume: it keeps its entity meanwhile.
const net = createServer(world, protocol, { transport: webSocketServer({ port: 8080 }), tickRate: 20, resumeGraceMs: 10_000 });
await net.start();

fixedTick(20, () => {
  net.receive();
  for (const event of net.events()) {
    if (event.type === 'connected') {
      const eid = addEntity(world);
      addComponent(world, eid, Position);
      addComponent(world, eid, Player);
      addComponent(world, eid, Networked);
      Player.name[eid] = `player ${event.connection.id}`;
      net.setOwner(eid, event.connection);
    }
    // The session ended for good: closed without a resume, or held and never resumed.
    if ((event.type === 'disconnected' && !event.resumable) || event.type === 'expired') {
      for (const eid of net.owned(event.connection)) removeEntity(world, eid);
    }
  }
  for (const { source, data } of net.messages(Move)) {
    for (const eid of net.owned(source)) {
      Position.x[eid]! += data.dx * 5;
      Position.y[eid]! += data.dy * 5;
    }
  }
  for (const { source, data } of net.messages(Chat)) net.broadcast(Chat, { text: `${source.id}: ${data.text}` });
  net.replicate();
  net.flush();
});
