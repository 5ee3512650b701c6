import { protocol as demoProtocol } from '@tickwire/demo-shared';
import { createWorld, hasComponent } from 'bitecs';
import { afterEach, expect, it } from 'vitest';
import { type NetworkClient, cloneProtocol, createClient, silentLogger } from 'tickwire';
import { nodeWebSocketClient } from 'tickwire/node';
import { type DemoServer, startDemoServer } from '../../server/src/index';
import { type EntityState, SpecClient, wireProtocol } from './spec-client';

/**
 * The demo game's own description lines, as its developer would publish them for other
 * clients (docs/protocol.md's grammar; sorted as it says). Not read from the code: if the demo's
 * definitions change, the handshake below fails with a Mismatch, and these lines need updating.
 */
const DEMO_LINES = [
  'message chat-line(toClient){from:string(24);hue:u16(0,359,none);text:string(160);system:bool}',
  'message join(toServer){name:string(24)}',
  'message leaderboard(toClient){entries:array({name:string(24);hue:u16(0,359,none);score:u32(0,4294967295,none)},10)}',
  'message move(toServer,input){x:i8(-1,1,none);y:i8(-1,1,none)}',
  'message round(toClient){round:u32(0,4294967295,none);endsAtTick:u32(0,4294967295,none);lastWinner:string(24);lastWinnerScore:u32(0,4294967295,none)}',
  'message say(toServer){text:string(160)}',
  'message whisper(both){text:string(160)}',
  'message zap(toServer){x:f32(-3.4028234663852886e+38,3.4028234663852886e+38,none);y:f32(-3.4028234663852886e+38,3.4028234663852886e+38,none);seenTick:f64(0,1.7976931348623157e+308,none)}',
  'message zap-result(toClient){x:f32(-3.4028234663852886e+38,3.4028234663852886e+38,none);y:f32(-3.4028234663852886e+38,3.4028234663852886e+38,none);hit:enum("miss","bot","player")}',
  'component bot{}',
  'component orb{value:u8(1,5,none)}',
  'component player{hue:u16(0,359,none);name:string(32);score:u32(0,4294967295,none)}',
  'component position{x:f32(-3.4028234663852886e+38,3.4028234663852886e+38,q=0.01@0/,linear);y:f32(-3.4028234663852886e+38,3.4028234663852886e+38,q=0.01@0/,linear)}',
];

/** The library client's world as the spec client keeps one: server id → component → field → authoritative value. */
function libraryWorld(client: NetworkClient): Map<number, EntityState> {
  const out = new Map<number, EntityState>();
  for (const serverId of client.replication.serverIds()) {
    const local = client.localId(serverId)!;
    const state: EntityState = {};
    client.protocol.components.forEach((component, id) => {
      if (!hasComponent(client.world, local, component)) return;
      const { layout, values } = client.replication.authoritative(id);
      state[layout.name] = Object.fromEntries(layout.fields.map((f, i) => [f.name, values[i]![serverId]!]));
    });
    out.set(serverId, state);
  }
  return out;
}

let server: DemoServer | undefined;
let spec: SpecClient | undefined;
let library: NetworkClient | undefined;
afterEach(async () => {
  spec?.close();
  library?.disconnect();
  await server?.stop();
  server = undefined;
});

it('a client written from docs/protocol.md handshakes, plays the demo, and ends with the library client’s world', async () => {
  server = await startDemoServer({ port: 0, host: '127.0.0.1', bots: 6, orbs: 12, logLevel: 'silent' });
  const url = `ws://127.0.0.1:${server.port}/ws`;
  const wire = wireProtocol(DEMO_LINES);
  // The fingerprint computed from the document is the one the code computes.
  expect(wire.fingerprint).toBe(demoProtocol.fingerprint);

  spec = new SpecClient(url, wire);
  library = createClient(createWorld(), cloneProtocol(demoProtocol).protocol, { transport: nodeWebSocketClient(url), logger: silentLogger, reconnect: false });
  library.connect();
  const libraryHistory = new Map<number, Map<number, EntityState>>();
  let joined = false;
  const started = Date.now();
  const directions: Array<[number, number]> = [[1, 0], [0, 1], [-1, 0], [0, -1], [1, 1], [0, 0]];
  while (Date.now() - started < 4000) {
    await new Promise((resolve) => setTimeout(resolve, 15));
    library.receive();
    for (const event of library.events()) if (event.type === 'connected') library.send(demoProtocol.messages.find((m) => m.name === 'join')!, { name: 'library' });
    libraryHistory.set(library.tick, libraryWorld(library));
    library.flush();
    if (spec.welcomed && !joined) {
      spec.send('join', { name: 'spec' });
      joined = true;
    }
    const [x, y] = directions[Math.min(directions.length - 1, Math.floor((Date.now() - started) / 600))]!;
    if (joined) spec.send('move', { x, y });
    spec.flush();
  }
  expect(spec.mismatch).toBeUndefined();
  expect(spec.closed).toBeUndefined();
  expect(spec.welcomed).toBe(true);

  // The spec client owns exactly its player, which moved.
  expect(spec.owned.size).toBe(1);
  const [mine] = [...spec.owned];
  const now = spec.snapshot().get(mine!)!;
  expect(now.player!.name).toBe('spec');
  const firstSeen = [...spec.history.values()].find((world) => world.has(mine!))!.get(mine!)!;
  expect(now.position).not.toEqual(firstSeen.position);

  // Tick by tick, where both hold a tick, the two worlds are identical — values bit for bit.
  const common = [...spec.history.keys()].filter((tick) => libraryHistory.has(tick) && libraryHistory.get(tick)!.size > 0);
  expect(common.length).toBeGreaterThan(20);
  for (const tick of common) expect(spec.history.get(tick), `tick ${tick}`).toEqual(libraryHistory.get(tick));
  expect(libraryHistory.get(common.at(-1)!)!.get(mine!)!.player!.name).toBe('spec');
  expect([...libraryHistory.get(common.at(-1)!)!.values()].filter((e) => e.bot).length).toBe(6);
});
