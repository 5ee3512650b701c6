/**
 * The tickwire arena in the browser: a bitECS world the server's state is replicated into,
 * drawn by Phaser. The client never decides where anything is; it sends the keys it holds.
 */
import { protocol } from '@tickwire/demo-shared';
import { createWorld } from 'bitecs';
import * as Phaser from 'phaser';
import { RefreshTokenMessage, createClient, webSocketClient } from 'tickwire';
import { ArenaScene } from './arena-scene';
import { ArenaSeat, arenaEndpoint } from './arena-seat';
import { GuestToken, guestEndpoint } from './guest-token';
import { readLaunchOptions } from './launch-options';
import { chooseRenderer } from './renderer-choice';
import { installTestHook } from './test-hook';

const launch = readLaunchOptions(window.location);
const world = createWorld();
const guest = new GuestToken(guestEndpoint(launch.serverUrl));
// The arena comes from matchmaking; the WebSocket dials its server with the seat.
const arena = new ArenaSeat(arenaEndpoint(launch.serverUrl), launch.serverUrl);
// Asked on every (re)connect: after a server restart the guest comes back with a fresh token and
// a fresh seat if need be.
const net = createClient(world, protocol, {
  transport: webSocketClient(arena.url),
  token: async (attempt) => {
    await arena.forConnect(attempt);
    return guest.forConnect(attempt);
  },
});
const scene = new ArenaScene(net, launch);

new Phaser.Game({
  type: chooseRenderer(launch.renderer),
  parent: 'game',
  backgroundColor: '#0d1117',
  scale: { mode: Phaser.Scale.RESIZE, width: window.innerWidth, height: window.innerHeight },
  disableContextMenu: true,
  banner: false,
  scene: [scene],
});

installTestHook(net, scene, arena);
void guest.start((token) => net.send(RefreshTokenMessage, { token })).finally(() => net.connect());
