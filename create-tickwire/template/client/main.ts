// The browser client: draws every dot, predicts its own, sends one Move per tick from the arrow keys / WASD.
import { createWorld, query } from 'bitecs';
import { Networked, type PredictedEntity, createClient, webSocketClient } from 'tickwire';
import { Move, Player, Position, TICK_RATE, applyMove, protocol } from '../shared/protocol';

const world = createWorld();
const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
const net = createClient(world, protocol, { transport: webSocketClient(`${scheme}://${location.host}/ws`) });
net.connect();

const canvas = document.querySelector<HTMLCanvasElement>('#field')!;
const status = document.querySelector<HTMLElement>('#status')!;
const context = canvas.getContext('2d')!;

const held = new Set<string>();
addEventListener('keydown', (event) => held.add(event.key.toLowerCase()));
addEventListener('keyup', (event) => held.delete(event.key.toLowerCase()));
const axis = (minus: string[], plus: string[]) => Number(plus.some((k) => held.has(k))) - Number(minus.some((k) => held.has(k)));

let me: PredictedEntity<typeof Move.shape> | undefined;
// One input per server tick, not per render frame: the server applies one per tick.
setInterval(() => {
  const [mine] = net.owned();
  if (mine !== undefined && me?.eid !== mine) me = net.predict(mine, { input: Move, components: [Position], step: applyMove });
  me?.input({ dx: axis(['arrowleft', 'a'], ['arrowright', 'd']), dy: axis(['arrowup', 'w'], ['arrowdown', 's']) });
}, 1000 / TICK_RATE);

function frame(): void {
  net.receive();
  for (const event of net.events()) if (event.type === 'disconnected') status.textContent = `disconnected (${event.code})`;
  if (net.state === 'connected') status.textContent = `connected · ${query(world, [Networked, Player]).length} player(s) · rtt ${Math.round(net.rtt)} ms`;
  context.clearRect(0, 0, canvas.width, canvas.height);
  for (const eid of query(world, [Networked, Position, Player])) {
    context.fillStyle = `hsl(${Player.hue[eid]} 80% 60%)`;
    context.beginPath();
    context.arc(Position.x[eid]!, Position.y[eid]!, net.owns(eid) ? 12 : 9, 0, Math.PI * 2);
    context.fill();
  }
  net.flush();
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);
