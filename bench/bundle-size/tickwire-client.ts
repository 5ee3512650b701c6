// The browser client both bundles implement: join, draw every player's position each frame, send
// the arrow keys and read chat. This one on tickwire (bitecs included: it is the client's world).
import { createWorld, query } from 'bitecs';
import { Networked, createClient, defineComponent, defineInput, defineMessage, defineProtocol, t, webSocketClient } from 'tickwire';

const Position = defineComponent('position', { x: t.f32({ precision: 0.01, interpolate: true }), y: t.f32({ precision: 0.01, interpolate: true }) });
const Move = defineInput('move', { dx: t.i8({ min: -1, max: 1 }), dy: t.i8({ min: -1, max: 1 }) });
const Chat = defineMessage('chat', { text: t.string({ maxBytes: 200 }) });
const protocol = defineProtocol({ messages: [Move, Chat], components: [Position] });

const world = createWorld();
const net = createClient(world, protocol, { transport: webSocketClient(`ws://${location.host}/ws`) });
net.connect();
const keys = { dx: 0, dy: 0 };
const canvas = document.querySelector('canvas')!.getContext('2d')!;

function frame(): void {
  net.receive();
  for (const chat of net.messages(Chat)) console.log(chat.text);
  canvas.clearRect(0, 0, 640, 480);
  for (const eid of query(world, [Networked, Position])) canvas.fillRect(Position.x[eid]!, Position.y[eid]!, 4, 4);
  net.send(Move, keys);
  net.flush();
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);
