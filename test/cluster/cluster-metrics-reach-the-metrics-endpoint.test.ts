import { afterAll, beforeAll, expect, it } from 'vitest';
import { Chat } from '../support/messaging-protocol';
import { type NodeProcess, PumpedClients, eventually, killAllNodes, startNodeProcess } from '../support/cluster-nodes';
import { type RedisServer, startRedis } from '../support/redis-server';

let redis: RedisServer;
let nodes: NodeProcess[];
const clients = new PumpedClients();

beforeAll(async () => {
  redis = await startRedis();
  nodes = await Promise.all(['m-alpha', 'm-bravo', 'm-charlie'].map((name) => startNodeProcess(redis.url, name, { metrics: true })));
});
afterAll(async () => {
  clients.close();
  await killAllNodes();
  await redis?.stop();
});

/** GET a node's /metrics over HTTP and read one sample (`name` or `name{labels}`), 0 if absent. */
async function scrape(node: NodeProcess): Promise<(sample: string) => number | undefined> {
  const response = await fetch(node.metricsUrl!);
  expect(response.status).toBe(200);
  const text = await response.text();
  return (sample) => {
    for (const line of text.split('\n')) if (line.startsWith(`${sample} `)) return Number(line.slice(sample.length + 1));
    return undefined;
  };
}

it('the tickwire_cluster_* metrics on /metrics count what the node did: RTT, batches and their bytes, inbox lag, reaps, lost leases', async () => {
  const [alpha, bravo, charlie] = nodes as [NodeProcess, NodeProcess, NodeProcess];
  const sender = clients.connect(alpha.url, 'sender');
  const target = clients.connect(bravo.url, 'target');
  await clients.connected();
  for (let i = 0; i < 5; i++) expect((await sender.direct('target', Chat, { text: `m${i}` })).delivered).toBe(1);
  await eventually(() => clients.of(target).directs.length === 5, 3000, 'five DMs crossed');

  const a = await scrape(alpha);
  const b = await scrape(bravo);
  // Every counter and histogram is exposed, at 0 when nothing happened.
  for (const name of ['leases_lost_total', 'reaps_total', 'fenced_writes_total', 'batches_lost_total', 'duplicate_batches_total', 'missed_batches_total', 'seats_expired_total']) {
    expect(a(`tickwire_cluster_${name}`), name).toBe(0);
  }
  expect(a('tickwire_cluster_redis_rtt_seconds_count')).toBeGreaterThan(0);
  expect(a('tickwire_cluster_batches_sent_total')).toBeGreaterThanOrEqual(1);
  expect(a('tickwire_cluster_batch_bytes_count')).toBeGreaterThanOrEqual(1);
  expect(a('tickwire_cluster_batch_bytes_sum')).toBeGreaterThan(5 * 'target'.length);
  expect(b('tickwire_cluster_batches_received_total')).toBeGreaterThanOrEqual(1);
  expect(b('tickwire_cluster_inbox_lag_seconds_count')).toBe(b('tickwire_cluster_batches_received_total'));
  // A batch read at once by a blocked XREAD waits well under a tick.
  expect(b('tickwire_cluster_inbox_lag_seconds_bucket{le="0.05"}')).toBe(b('tickwire_cluster_inbox_lag_seconds_count'));

  charlie.kill('SIGKILL');
  let reaps = 0;
  await (async () => {
    const deadline = Date.now() + 8000;
    while (Date.now() < deadline) {
      reaps = ((await scrape(alpha))('tickwire_cluster_reaps_total') ?? 0) + ((await scrape(bravo))('tickwire_cluster_reaps_total') ?? 0);
      if (reaps > 0) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  expect(reaps).toBe(1);

  const oldEpoch = (await bravo.stats()).epoch;
  bravo.kill('SIGSTOP');
  await new Promise((resolve) => setTimeout(resolve, 4000));
  bravo.kill('SIGCONT');
  const deadline = Date.now() + 5000;
  while ((await bravo.stats()).epoch === oldEpoch && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  expect((await scrape(bravo))('tickwire_cluster_leases_lost_total')).toBe(1);
  expect((await scrape(alpha))('tickwire_cluster_leases_lost_total')).toBe(0);
}, 40_000);
