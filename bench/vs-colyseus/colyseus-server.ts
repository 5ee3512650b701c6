/**
 * Child process of bench:vs-colyseus: a Colyseus 0.18 server (WebSocket transport) on
 * 127.0.0.1 with the arena room. Arguments: --port, --bots, --orbs, --groups, --tick-rate.
 * Room i (in creation order) gets group i's share of the bots and orbs, dealt like the tickwire
 * demo deals them into view groups. Prints `READY {"port":…}`; exits when stdin closes.
 */
import { parseArgs } from 'node:util';
import { Server, matchMaker } from '@colyseus/core';
import { WebSocketTransport } from '@colyseus/ws-transport';
import { announceReady, exitWithParent } from '../child-process';
import { ArenaRoom } from './colyseus-arena';

const { values } = parseArgs({ options: { port: { type: 'string' }, bots: { type: 'string' }, orbs: { type: 'string' }, groups: { type: 'string' }, 'tick-rate': { type: 'string' } } });
const port = Number(values.port);
const bots = Number(values.bots ?? 250);
const orbs = Number(values.orbs ?? 120);
const groups = Math.max(1, Number(values.groups ?? 1));
const tickRate = Number(values['tick-rate'] ?? 20);

/** Share `total` over `groups` as `index mod groups` dealing does. */
const share = (total: number, group: number): number => Math.floor(total / groups) + (group < total % groups ? 1 : 0);

let created = 0;
class DealtArena extends ArenaRoom {
  override onCreate(): void {
    const group = created++ % groups;
    super.onCreate({ bots: share(bots, group), orbs: share(orbs, group), tickRate });
  }
}

const server = new Server({ transport: new WebSocketTransport({ maxPayload: 64 * 1024 }), greet: false, gracefullyShutdown: false, logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {} } });
server.define('arena', DealtArena);
await server.listen(port, '127.0.0.1');
// Rooms are created on demand; create every group's room now, as tickwire's world has every group from the start.
for (let i = 0; i < groups; i++) await matchMaker.createRoom('arena', {});
exitWithParent(() => server.gracefullyShutdown(false).catch(() => {}), 15 * 60_000);
announceReady({ port });
