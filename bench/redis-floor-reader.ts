/**
 * The reading half of bench:cluster's floor row: a bare node-redis client that blocks on XREAD
 * for the `floor` stream, as a node's inbox reader does, and records how long each entry took from
 * its writer's stamp (field `t`, wall ms) to here — no script, no batch codec, no bus.
 * Environment: TW_REDIS. IPC in: `{ type: 'report' }` → `{ type: 'report', latencies }`, then it exits.
 */
import { createClient } from 'redis';

const url = process.env.TW_REDIS;
if (!url || !process.send) throw new Error('run by bench/cluster.ts (TW_REDIS and an IPC channel)');
const send = process.send.bind(process);
const now = () => performance.timeOrigin + performance.now();
const client = createClient({ url, RESP: 2 });
await client.connect();
const latencies: number[] = [];
let running = true;

process.on('message', (message: { type: string }) => {
  if (message.type !== 'report') return;
  running = false;
  send({ type: 'report', latencies }, () => process.exit(0));
});
send({ type: 'ready' });

let last = '$';
while (running) {
  const reply = await client.sendCommand<Array<[string, Array<[string, string[]]>]> | null>(['XREAD', 'BLOCK', '1000', 'STREAMS', 'floor', last]);
  if (!reply) continue;
  const at = now();
  for (const [, entries] of reply) {
    for (const [id, fields] of entries) {
      last = id;
      const stamp = fields.indexOf('t');
      if (stamp >= 0) latencies.push(at - Number(fields[stamp + 1]));
    }
  }
}
