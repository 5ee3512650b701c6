// client.ts — in the browser
import { createWorld, query } from 'bitecs';
import { Networked, createClient, webSocketClient } from 'tickwire';
import { Chat, Move, Player, Position, protocol } from './shared';

const world = createWorld();
const net = createClient(world, protocol, { transport: webSocketClient(`ws://${location.host}/ws`) });
net.connect();

function frame() {
  net.receive();
  for (const event of net.events()) if (event.type === 'disconnected') console.log('lost connection', event.code);
  for (const chat of net.messages(Chat)) console.log(chat.text);
  for (const eid of query(world, [Networked, Position, Player])) {
    draw(Player.name[eid]!, Position.x[eid]!, Position.y[eid]!);
  }
  net.send(Move, { dx: keys.right - keys.left, dy: keys.down - keys.up });
  net.flush();
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

const keys = { left: 0, right: 0, up: 0, down: 0 };
declare function draw(name: string, x: number, y: number): void;
