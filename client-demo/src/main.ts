/**
 * The tickwire arena in the browser: a bitECS world the server's state is replicated into,
 * drawn by Phaser. The client never decides where anything is; it sends the keys it holds.
 */
import { protocol } from '@tickwire/demo-shared';
import { createWorld } from 'bitecs';
import * as Phaser from 'phaser';
import { RefreshTokenMessage, createClient, webSocketClient } from 'tickwire';
import { ArenaScene } from './arena-scene';
import { GuestToken, guestEndpoint, withToken } from './guest-token';
import { readLaunchOptions } from './launch-options';
import { installTestHook } from './test-hook';

const launch = readLaunchOptions(window.location);
const world = createWorld();
const guest = new GuestToken(guestEndpoint(launch.serverUrl));
// A function, so every reconnect carries the guest's current token.
const net = createClient(world, protocol, { transport: webSocketClient(() => withToken(launch.serverUrl, guest.current)) });
const scene = new ArenaScene(net, launch);

new Phaser.Game({
  type: Phaser.AUTO,
  parent: 'game',
  backgroundColor: '#0d1117',
  scale: { mode: Phaser.Scale.RESIZE, width: window.innerWidth, height: window.innerHeight },
  disableContextMenu: true,
  banner: false,
  scene: [scene],
});

installTestHook(net, scene);
void guest.start((token) => net.send(RefreshTokenMessage, { token })).finally(() => net.connect());
