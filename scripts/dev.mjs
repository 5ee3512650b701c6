#!/usr/bin/env node
/**
 * `npm run dev`: the demo server (tsx, port 8080 or PORT) and the Vite dev server, which proxies
 * `/ws`, `/health`, `/auth` and `/matchmake` to it. Both run until one exits or you press Ctrl-C;
 * then both stop, so a crashed server never leaves an orphaned Vite (or the other way round).
 * Extra arguments go to the server: `npm run dev -- --bots 50 --tick-rate 30`.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const port = process.env.PORT ?? '8080';
const bin = (name) => `${root}node_modules/.bin/${name}`;

const children = [
  spawn(bin('tsx'), ['watch', '--clear-screen=false', 'server/src/main.ts', '--port', port, ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
  }),
  spawn(bin('vite'), [], {
    cwd: `${root}client-demo`,
    stdio: 'inherit',
    env: { ...process.env, DEMO_SERVER_URL: `http://localhost:${port}` },
  }),
];

let stopping = false;
function stopAll(signal) {
  if (stopping) return;
  stopping = true;
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
}

let remaining = children.length;
let exitCode = 0;
for (const child of children) {
  child.on('exit', (code, signal) => {
    if (code !== 0 && code !== null && !stopping) exitCode = code;
    if (signal && !stopping) exitCode = 1;
    stopAll('SIGTERM');
    if (--remaining === 0) process.exit(exitCode);
  });
  child.on('error', (error) => {
    console.error(`dev: could not start ${child.spawnfile}: ${error.message}`);
    exitCode = 1;
    stopAll('SIGTERM');
  });
}
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stopAll(signal));
