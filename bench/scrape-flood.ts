/**
 * A Prometheus scrape flood against the demo server's metrics listener must not cost the players:
 * tick duration and the server's RTT p50 of connected clients, idle and then under 500 scrapes/s,
 * side by side in one run (the machine is shared, so only the ratio means anything).
 */
import { request } from 'node:http';
import { protocol } from '@tickwire/demo-shared';
import { createWorld } from 'bitecs';
import { createClient, silentLogger } from '../engine-plugin/src/index';
import { nodeWebSocketClient } from '../engine-plugin/src/node';
import { startDemoServer } from '../server/src/demo-server';
import { environmentLine, table, writeSection } from './report';

const CLIENTS = 20;
const PHASE_MS = Number(process.env.SCRAPE_PHASE_MS ?? 5000);
const SCRAPES_PER_SECOND = 500;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

function scrape(port: number): Promise<void> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve());
    });
    req.on('error', () => resolve());
    req.end();
  });
}

async function main(): Promise<void> {
  const server = await startDemoServer({ port: 0, host: '127.0.0.1', bots: 50, logLevel: 'silent', clientDir: '/nonexistent', metricsPort: 0 });
  const clients = Array.from({ length: CLIENTS }, () =>
    createClient(createWorld(), protocol, { transport: nodeWebSocketClient(`ws://127.0.0.1:${server.port}/ws`), reconnect: false, logger: silentLogger }),
  );
  for (const c of clients) c.connect();
  const frames = setInterval(() => {
    for (const c of clients) {
      c.receive();
      c.flush();
    }
  }, 16);
  const phase = async (flood: boolean): Promise<{ tickMs: number; rttMs: number; scrapes: number }> => {
    const ticks: number[] = [];
    const rtts: number[] = [];
    let scrapes = 0;
    const unobserve = server.game.net.endpoint.observe({ tick: (ms: number) => ticks.push(ms) });
    const started = Date.now();
    const floodTimer = flood
      ? setInterval(() => {
          for (let i = 0; i < SCRAPES_PER_SECOND / 100; i++) void scrape(server.metricsPort).then(() => scrapes++);
        }, 10)
      : undefined;
    while (Date.now() - started < PHASE_MS) {
      await new Promise((r) => setTimeout(r, 250));
      for (const connection of server.game.net.endpoint.active()) if (connection.rtt > 0) rtts.push(connection.rtt);
    }
    clearInterval(floodTimer);
    unobserve();
    return { tickMs: percentile(ticks, 50), rttMs: percentile(rtts, 50), scrapes };
  };
  await new Promise((r) => setTimeout(r, 2000));
  const idle = await phase(false);
  const flood = await phase(true);
  clearInterval(frames);
  for (const c of clients) c.disconnect();
  await server.stop();
  const rows = [
    ['idle', idle.tickMs.toFixed(3), idle.rttMs.toFixed(3), 0],
    [`${SCRAPES_PER_SECOND} scrapes/s`, flood.tickMs.toFixed(3), flood.rttMs.toFixed(3), Math.round(flood.scrapes / (PHASE_MS / 1000))],
    ['ratio', (flood.tickMs / idle.tickMs).toFixed(2), (flood.rttMs / idle.rttMs).toFixed(2), ''],
  ];
  const markdown = `${environmentLine()}\n\n${CLIENTS} clients, ${PHASE_MS / 1000} s per phase, metrics on their own loopback listener, rendered at most once a second.\n\n${table(['phase', 'tick p50 ms', 'RTT p50 ms', 'scrapes/s served'], rows)}`;
  console.log(markdown);
  if (process.env.BENCH_SMOKE !== '1') writeSection('Scrape flood', markdown);
}

void main();
