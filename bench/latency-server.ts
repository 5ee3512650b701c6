/**
 * The server side of `bench/latency.ts`, run as a child process. Argument: one mode.
 *
 *   raw              a bare `ws` echo server: every binary message is sent straight back
 *   immediate        tickwire, a tick run on arrival (`tickOnArrival`): the reply leaves at once
 *   tick:<hz>        tickwire ticking at <hz> (`fixedTick`): the reply leaves with the next tick
 *   immediate:<hz>   both: ticking at <hz>, and a tick on arrival
 *
 * Prints `READY {"port":n}` once listening.
 */
import { createWorld } from 'bitecs';
import { WebSocketServer } from 'ws';
import { createServer, fixedTick, silentLogger, tickOnArrival } from '../engine-plugin/src/index';
import { webSocketServer } from '../engine-plugin/src/node';
import { announceReady, exitWithParent } from './child-process';
import { Echo, EchoReply, UNLIMITED, benchProtocol } from './latency-protocol';

const MAX_LIFETIME_MS = 15 * 60_000;

async function startRaw(): Promise<number> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  wss.on('connection', (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
  exitWithParent(() => new Promise<void>((resolve) => wss.close(() => resolve())), MAX_LIFETIME_MS);
  const address = wss.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
}

async function startTickwire(immediate: boolean, hz: number | undefined): Promise<number> {
  const transport = webSocketServer({ host: '127.0.0.1', port: 0 });
  const net = createServer(createWorld(), benchProtocol, { transport, tickRate: hz ?? 20, settings: UNLIMITED, logger: silentLogger });
  const step = (): void => {
    net.receive();
    for (const { source, data } of net.messages(Echo)) net.send(source, EchoReply, data);
    net.replicate();
    net.flush();
  };
  await net.start();
  const stops: Array<() => void> = [];
  if (immediate) stops.push(tickOnArrival(net, step));
  if (hz !== undefined) stops.push(fixedTick(hz, step));
  exitWithParent(async () => {
    for (const stop of stops) stop();
    await net.stop();
  }, MAX_LIFETIME_MS);
  return transport.port;
}

const mode = process.argv[2] ?? 'raw';
const match = /^(raw|immediate|tick)(?::(\d+))?$/.exec(mode);
if (!match) throw new Error(`unknown mode ${mode}`);
const hz = match[2] === undefined ? undefined : Number(match[2]);
const port = match[1] === 'raw' ? await startRaw() : await startTickwire(match[1] === 'immediate', hz);
announceReady({ port });
