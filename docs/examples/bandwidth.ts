// bandwidth.ts — each player gets 8 KB/s; what is near them goes first, nothing starves
import { createWorld, hasComponent } from 'bitecs';
import { type Connection, createServer } from 'tickwire';
import { webSocketServer } from 'tickwire/node';
import { Player, Position, protocol } from './shared';

const world = createWorld();
const net = createServer(world, protocol, {
  transport: webSocketServer({ port: 8080 }),
  replication: {
    spatial: { component: Position, xField: 'x', yField: 'y', cellSize: 200 },
    bandwidth: {
      bytesPerSecond: 8_000,
      // Optional: the default weighs by distance from the connection's focus. Players matter more.
      priority: (_connectionId, eid) => (hasComponent(world, eid, Player) ? 4 : 1),
    },
  },
});
await net.start();

// At run time, per connection: a spectator on a phone gets less, `undefined` lifts the cap.
export function onSpectator(connection: Connection): void {
  net.setBandwidth(connection, 2_000);
}
