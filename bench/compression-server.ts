/**
 * The server side of `bench/compression.ts`, run as a child process: the demo server
 * (`startDemoServer`) with or without permessage-deflate. Arguments: `deflate|plain`, the number
 * of players to wait for, and the measurement window in seconds. Once that many players have
 * joined it measures for the window and prints `STATS {json}`: ticks, the process's CPU time
 * (every thread, so zlib's work in the libuv pool counts), and tickwire's frame bytes before compression.
 */
import { Player } from '@tickwire/demo-shared';
import { query } from 'bitecs';
import { startDemoServer } from '../server/src/index';
import { announceReady, exitWithParent } from './child-process';

const deflate = process.argv[2] === 'deflate';
const players = Number(process.argv[3] ?? 20);
const windowS = Number(process.argv[4] ?? 5);
const server = await startDemoServer({ port: 0, host: '127.0.0.1', bots: 250, orbs: 120, maxPlayers: players, logLevel: 'silent', perMessageDeflate: deflate });
exitWithParent(() => server.stop(), 10 * 60_000);
announceReady({ port: server.port });

const { net, world } = server.game;
const bytesOut = (): number => {
  let sum = 0;
  for (const connection of net.connections()) sum += connection.stats.bytesOut;
  return sum;
};
const waitFor = setInterval(() => {
  if (query(world, [Player]).length < players) return;
  clearInterval(waitFor);
  // Let the last joins' full snapshots go out before measuring steady state.
  setTimeout(() => {
    const tick0 = net.tick;
    const cpu0 = process.cpuUsage();
    const bytes0 = bytesOut();
    setTimeout(() => {
      const cpu = process.cpuUsage(cpu0);
      const ticks = net.tick - tick0;
      process.stdout.write(`STATS ${JSON.stringify({ ticks, cpuUs: cpu.user + cpu.system, frameBytes: bytesOut() - bytes0 })}\n`);
    }, windowS * 1000);
  }, 1_000);
}, 50);
