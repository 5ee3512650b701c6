import { cleanName } from '@tickwire/demo-shared';

const ADJECTIVES = ['Swift', 'Quiet', 'Brave', 'Lucky', 'Clever', 'Sunny', 'Fuzzy', 'Cosmic', 'Nimble', 'Jolly'];
const ANIMALS = ['Otter', 'Falcon', 'Panda', 'Lynx', 'Gecko', 'Heron', 'Badger', 'Koala', 'Moose', 'Newt'];

function pick<T>(items: readonly T[]): T {
  return items[Math.floor(Math.random() * items.length)]!;
}

/** What the page was opened with: the server to connect to and the name to play under. */
export interface LaunchOptions {
  /** WebSocket URL of the game server. */
  readonly serverUrl: string;
  /** The player's name: `?name=` or a random one. */
  readonly name: string;
  /**
   * Phaser's renderer: `?renderer=canvas` or `webgl`, otherwise `auto` (WebGL where available).
   * Without a GPU, WebGL runs in software (SwiftShader) and drops to an uneven 25–40 fps, where the
   * Canvas renderer keeps 60: a steady frame rate matters more to how motion looks than the renderer.
   */
  readonly renderer: 'auto' | 'canvas' | 'webgl';
}

/**
 * Read `?server=` (a ws(s):// URL, an http(s):// origin, or host:port) and `?name=`. Without
 * `?server=` the client connects to the server it was served from, so one URL is all a player needs.
 */
export function readLaunchOptions(location: Location): LaunchOptions {
  const query = new URLSearchParams(location.search);
  return {
    serverUrl: toWebSocketUrl(query.get('server'), location),
    name: cleanName(query.get('name') ?? '', `${pick(ADJECTIVES)} ${pick(ANIMALS)}`),
    renderer: readRenderer(query.get('renderer')),
  };
}

function readRenderer(value: string | null): LaunchOptions['renderer'] {
  return value === 'canvas' || value === 'webgl' ? value : 'auto';
}

function toWebSocketUrl(server: string | null, location: Location): string {
  const secure = location.protocol === 'https:';
  if (!server) return `${secure ? 'wss' : 'ws'}://${location.host}/ws`;
  if (/^wss?:\/\//.test(server)) return server;
  if (/^https?:\/\//.test(server)) {
    const url = new URL(server);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    if (url.pathname === '/' || url.pathname === '') url.pathname = '/ws';
    return url.toString();
  }
  return `${secure ? 'wss' : 'ws'}://${server.replace(/\/+$/, '')}/ws`;
}

/** An HTTP endpoint on the game server: `ws(s)://host[:port]/ws` → `http(s)://host[:port]<path>`. */
export function serverEndpoint(serverUrl: string, path: string): string {
  const url = new URL(serverUrl);
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:';
  url.pathname = path;
  url.search = '';
  return url.toString();
}
