/**
 * The tickwire arena in the browser: a bitECS world the server's state is replicated into,
 * drawn by Phaser. The client never decides where anything is; it sends the keys it holds.
 */
import { ARENA_ROOM, protocol } from '@tickwire/demo-shared';
import { createWorld } from 'bitecs';
import * as Phaser from 'phaser';
import { RefreshTokenMessage, createClient, matchmakeOverHttp, webSocketClient } from 'tickwire';
import { ArenaScene } from './arena-scene';
import { GuestToken, guestEndpoint } from './guest-token';
import { readLaunchOptions } from './launch-options';
import { chooseRenderer } from './renderer-choice';
import { installTestHook } from './test-hook';

const launch = readLaunchOptions(window.location);
const world = createWorld();
const guest = new GuestToken(guestEndpoint(launch.serverUrl));
// The arena comes from the server's matchmaking (POST /matchmake/joinOrCreate/arena); the client
// dials the seat's address with it, goes back there on a reconnect, and asks for a new seat when
// that fails or the server says 4011 (its node is draining). A server without matchmaking is
// joined at serverUrl without a seat. The token is asked on every (re)connect: after a server
// restart the guest comes back with a fresh one.
const net = createClient(world, protocol, {
  transport: webSocketClient(launch.serverUrl),
  matchmake: matchmakeOverHttp(launch.serverUrl, ARENA_ROOM),
  token: (attempt) => guest.forConnect(attempt),
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

installTestHook(net, scene);
void guest.start((token) => net.send(RefreshTokenMessage, { token })).finally(() => net.connect());
