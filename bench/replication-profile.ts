/**
 * One row of bench/replication.ts in a loop, for `node --cpu-prof` (what guided the changes in
 * docs/architecture.md, "Replication"):
 *
 *   PROFILE_N=10000 PROFILE_MOVING=0.01 PROFILE_MARKED=1 npx tsx --cpu-prof bench/replication-profile.ts
 *
 * Prints server and client µs per tick (process CPU time) for the row; writes nothing.
 */
import { ByteReader } from '../engine-plugin/src/protocol';
import { replicatedPair } from './replication-fixture';

const n = Number(process.env.PROFILE_N ?? 10_000);
const fraction = Number(process.env.PROFILE_MOVING ?? 0.01);
const marked = process.env.PROFILE_MARKED === '1';
const ticks = Number(process.env.PROFILE_TICKS ?? 20_000);

const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const { Body, server, client, w } = replicatedPair(n, (i) => ({ x: (i * 7) % 1000, y: (i * 13) % 1000, angle: i % 6, hp: 100 }), marked);
const moving = new Int32Array(Math.round(n * fraction));
for (let k = 0; k < moving.length; k++) moving[k] = Math.floor((k * n) / moving.length);

const CHUNK = 200;
let serverMs = 0;
let clientMs = 0;
const sent: Uint8Array[] = [];
for (let tick = 1; tick <= ticks; ) {
  sent.length = 0;
  let t0 = cpuMs();
  for (let c = 0; c < CHUNK; c++, tick++) {
    for (let k = 0; k < moving.length; k++) {
      const i = moving[k]!;
      Body.x[i] = Body.x[i]! + 0.05;
      Body.y[i] = Body.y[i]! - 0.05;
      Body.angle[i] = Body.angle[i]! + 0.02;
      if ((i + tick) % 97 === 0) Body.hp[i] = (Body.hp[i]! + 250) % 256;
      if (marked) server.markChanged(i, Body);
    }
    server.replicate(tick);
    w.reset();
    server.writeState(1, w);
    sent.push(w.written().slice());
  }
  serverMs += cpuMs() - t0;
  t0 = cpuMs();
  for (const bytes of sent) {
    client.beginTick();
    client.apply(new ByteReader(bytes), tick);
  }
  clientMs += cpuMs() - t0;
}
console.log(`${n} entities, ${fraction * 100} % moving, ${marked ? 'marked' : 'plain'}: server ${((serverMs * 1000) / ticks).toFixed(2)} µs, client ${((clientMs * 1000) / ticks).toFixed(2)} µs per tick`);
