// netcode.ts — the client predicts its own player and interpolates everyone else
import { createWorld } from 'bitecs';
import { type PredictedEntity, createClient, webSocketClient } from 'tickwire';
import { Move, Position, protocol } from './shared';

// The rule both sides run: the server applies each Move with it, the client predicts with it.
export function applyMove(eid: number, input: { dx: number; dy: number }): void {
  Position.x[eid]! += input.dx * 5;
  Position.y[eid]! += input.dy * 5;
}

const world = createWorld();
const net = createClient(world, protocol, { transport: webSocketClient(`ws://${location.host}/ws`) });
net.connect();
let me: PredictedEntity<typeof Move.shape> | undefined;

// Once per tick (not per render frame): the server applies one input per tick.
setInterval(() => {
  // The server's setOwner tells this client which entity it controls.
  const [mine] = net.owned();
  if (mine !== undefined && me?.eid !== mine) me = net.predict(mine, { input: Move, components: [Position], step: applyMove });
  me?.input({ dx: 1, dy: 0 });
}, 50);

function frame(time: number) {
  // Applies state; Position now holds interpolated (others) and predicted (me) values for the
  // frame's timestamp: a busy page starts scripts late, but frames are shown at a steady vsync.
  net.receive(time);
  net.flush();
  requestAnimationFrame(frame);
}
requestAnimationFrame(frame);
