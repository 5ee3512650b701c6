/**
 * The demo on a cluster, in real browsers: a real redis-server and two demo nodes as child
 * processes (what `npm run start:cluster` runs), and two Chromium pages that open the same node.
 * Matchmaking puts each in an arena of one on the less loaded node, so the two land on different
 * nodes — and still see each other online, read each other's chat and whisper with /w.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RedisServer, freePort, startRedis } from '../support/redis-server';
import { type Browser, launchChromium, recordPageErrors } from './chromium';
import { buildClient } from './client-build';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLIENT_BUILD = `${ROOT}test-output/e2e-cluster-client`;

interface DemoNode {
  readonly name: string;
  readonly port: number;
  readonly child: ChildProcess;
}

let redis: RedisServer | undefined;
let browser: Browser | undefined;
const nodes: DemoNode[] = [];
const pageErrors: string[] = [];

/** `server/src/main.ts` in cluster mode, as start:cluster runs it; resolves once it answers /health (it joins Redis before it listens). */
async function startNode(name: string): Promise<DemoNode> {
  // A cluster node tells matchmaking its address before it listens, so its port is chosen here.
  const port = await freePort();
  const args = ['server/src/main.ts', '--port', String(port), '--host', '127.0.0.1', '--redis', redis!.url, '--node', name, '--public-url', `ws://127.0.0.1:${port}/ws`];
  args.push('--room-size', '1', '--bots', '0', '--orbs', '4', '--log-level', 'warn', '--log-format', 'json');
  const child = spawn(`${ROOT}node_modules/.bin/tsx`, args, {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, TICKWIRE_CLIENT_DIR: CLIENT_BUILD, TICKWIRE_METRICS_PORT: '0' },
  });
  const node = { name, port, child };
  nodes.push(node);
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`demo node ${name} exited with ${child.exitCode}`);
    const health = await fetch(`http://127.0.0.1:${port}/health`).then(
      (response) => (response.ok ? (response.json() as Promise<{ node?: string }>) : undefined),
      () => undefined,
    );
    if (health?.node === name) return node;
    if (Date.now() > deadline) throw new Error(`demo node ${name} did not answer /health on ${port}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

beforeAll(async () => {
  await mkdir(CLIENT_BUILD, { recursive: true });
  // The build is done before a node starts: a node looks for the built client once, as it starts,
  // and one that started before the build finished serves "not built" (503) for good. Started side
  // by side, whichever finished first decided it: on a loaded machine the build lost, the page was
  // the 503 text and never showed a player.
  const [, launched] = await Promise.all([buildClient(CLIENT_BUILD), launchChromium(), startRedis().then((started) => (redis = started))]);
  browser = launched;
  await Promise.all([startNode('node-a'), startNode('node-b')]);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all(
    nodes.map(({ child }) => (child.exitCode !== null || child.signalCode !== null ? undefined : new Promise((resolve) => child.once('exit', resolve).kill('SIGTERM')))),
  );
  await redis?.stop();
  await rm(CLIENT_BUILD, { recursive: true, force: true });
});

/** A player in a tab of its own (a page keeps its guest token in memory), on the page node A serves. */
async function openPlayer(name: string): Promise<Page> {
  const page = await browser!.context.newPage();
  recordPageErrors(page, name, pageErrors);
  const response = await page.goto(`http://127.0.0.1:${nodes[0]!.port}/?name=${name}&renderer=canvas`);
  // The game, not the "client not built" notice.
  expect(response?.status()).toBe(200);
  await page.waitForFunction(() => window.__tickwire?.ownServerId !== undefined, undefined, { timeout: 20_000 });
  return page;
}

async function connections(node: DemoNode): Promise<number> {
  const health = (await fetch(`http://127.0.0.1:${node.port}/health`).then((response) => response.json())) as { connections: number };
  return health.connections;
}

async function say(page: Page, line: string): Promise<void> {
  await page.keyboard.press('Enter');
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

const chatShows = (page: Page, line: string) =>
  page.waitForFunction((expected) => window.__tickwire!.chatLines().includes(expected), line, { timeout: 10_000 });

it('two browsers matched onto different nodes see each other online, share the chat and whisper', async () => {
  const ann = await openPlayer('Ann');
  expect(await ann.evaluate(() => window.__tickwire!.arenaId)).toBeDefined();
  // Placement weighs the nodes' reported load: wait until Ann's node has reported hers.
  const deadline = Date.now() + 10_000;
  while ((await redis!.client.zRangeWithScores('tw:load', 0, -1)).every(({ score }) => score === 0)) {
    if (Date.now() > deadline) throw new Error('no node reported a load within 10 s');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const bob = await openPlayer('Bob');

  // Both pages came from node A; matchmaking seated one player on each node.
  expect([await connections(nodes[0]!), await connections(nodes[1]!)]).toEqual([1, 1]);

  // Presence crosses the nodes, with the names the nodes set at join.
  for (const page of [ann, bob]) await page.waitForFunction(() => window.__tickwire!.online().join() === 'Ann,Bob', undefined, { timeout: 10_000 });

  // A line said on one node is read on the other, and back.
  await say(ann, 'hello from one node');
  await chatShows(bob, 'Ann: hello from one node');
  await say(bob, 'hi from the other');
  await chatShows(ann, 'Bob: hi from the other');

  // A whisper reaches its addressee across the nodes; the sender's page shows it as sent.
  await say(ann, '/w Bob psst');
  await chatShows(bob, 'Ann whispers: psst');
  await chatShows(ann, 'to Bob: psst');
  await say(bob, '/w Ann got it');
  await chatShows(ann, 'Bob whispers: got it');

  // Bob leaves (a closed tab is held for a resume for 15 s; leaving ends the session at once):
  // Ann sees him go offline, though he never played on her node.
  await bob.evaluate(() => window.__tickwire!.net.disconnect());
  await ann.waitForFunction(() => window.__tickwire!.online().join() === 'Ann', undefined, { timeout: 10_000 });

  expect(pageErrors).toEqual([]);
}, 90_000);
