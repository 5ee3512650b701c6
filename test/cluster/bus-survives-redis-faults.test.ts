/**
 * The messaging bus under Redis faults: client connections killed every 2 s and Redis paused 2 s
 * once lose, duplicate and reorder nothing; a Redis restart (all data gone) may lose what was in
 * flight, but every such loss shows in a counter. `npm run soak:cluster` runs the size
 * (100k DMs + 100k publications at 5k/s); `npm test` a smoke of a few seconds.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type TrafficNode, type TrafficReport, startTrafficNode } from '../support/bus-traffic';
import { type RedisServer, startRedis } from '../support/redis-server';

/** Messages in all (half DMs, half publications) and messages per second in all, over two senders. */
const MESSAGES = Number(process.env.TW_SOAK_MESSAGES ?? 6_000);
const RATE = Number(process.env.TW_SOAK_RATE ?? 1_500);
/** Messages sent across the Redis restart. */
const RESTART_MESSAGES = Number(process.env.TW_SOAK_RESTART_MESSAGES ?? 3_000);

let redis: RedisServer;
let receiver: TrafficNode;
let senders: TrafficNode[];

beforeAll(async () => {
  redis = await startRedis();
  receiver = await startTrafficNode(redis.url, 'receiver', 'receiver');
  senders = await Promise.all(['sender-1', 'sender-2'].map((name) => startTrafficNode(redis.url, name, 'sender')));
  // The receiver's identity and interest reach the senders with their next event read.
  await new Promise((resolve) => setTimeout(resolve, 300));
});
afterAll(async () => {
  await Promise.all([receiver, ...(senders ?? [])].map((node) => node?.stop()));
  await redis?.stop();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Until every sender sent what it was asked and the receiver heard the last of it (or `ms` passed). */
async function settled(ms: number): Promise<{ sent: TrafficReport[]; got: TrafficReport }> {
  const deadline = Date.now() + ms;
  for (;;) {
    const sent = await Promise.all(senders.map((s) => s.report()));
    const got = await receiver.report();
    const heard = sent.every((s) => s.done && (got.senders[s.node]?.next ?? 0) >= s.sent);
    if (heard || Date.now() > deadline) return { sent, got };
    await sleep(200);
  }
}

it('client connections killed every 2 s and a 2 s pause: 0 lost, 0 duplicated, order kept per sender', async () => {
  const perSender = MESSAGES / senders.length;
  const seconds = MESSAGES / RATE;
  for (const s of senders) s.send(RATE / senders.length, perSender);
  const started = Date.now();
  let kills = 0;
  let paused = false;
  while (Date.now() - started < seconds * 1000) {
    await sleep(2000);
    // Every connection but this test's own: commands, blocked XREADs, all of them.
    kills += Number(await redis.client.sendCommand(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes']));
    if (!paused && Date.now() - started > (seconds * 1000) / 3) {
      paused = true;
      await redis.client.sendCommand(['CLIENT', 'PAUSE', '2000', 'ALL']);
    }
  }
  const { sent, got } = await settled(20_000);
  console.log(
    `[soak] ${MESSAGES} messages at ${RATE}/s, ${kills} connections killed, paused once: ` +
      JSON.stringify({ senders: sent.map((s) => ({ node: s.node, sent: s.sent, refused: s.refused, batchesLost: s.stats.batchesLost })), received: got.senders, duplicateBatchesDropped: got.stats.duplicateBatches, missedBatches: got.stats.missedBatches }),
  );
  expect(kills).toBeGreaterThan(0);
  expect(paused).toBe(true);
  for (const s of sent) {
    expect(s.sent).toBe(perSender);
    expect(s.stats.batchesLost).toBe(0);
    expect(got.senders[s.node]).toEqual({ next: perSender, received: perSender, lost: 0, duplicated: 0, gaps: 0 });
  }
  expect(got.stats.missedBatches).toBe(0);
}, 120_000);

it('across a Redis restart every lost message is surfaced: each gap the receiver sees is a batch some counter names', async () => {
  const before = await Promise.all(senders.map((s) => s.report()));
  const gotBefore = await receiver.report();
  const perSender = RESTART_MESSAGES / senders.length;
  for (const s of senders) s.send(RATE / senders.length, perSender);
  await sleep(((RESTART_MESSAGES / RATE) * 1000) / 3);
  await redis.restart();
  const { sent, got } = await settled(30_000);
  console.log(`[soak] across a restart: ${JSON.stringify({ senders: sent.map((s) => ({ node: s.node, sent: s.sent, refused: s.refused, stats: s.stats })), received: got.senders, receiverStats: got.stats })}`);
  let lost = 0;
  let gaps = 0;
  let surfaced = 0;
  for (const [i, s] of sent.entries()) {
    const was = gotBefore.senders[s.node]!;
    const now = got.senders[s.node]!;
    // Sending carries on after the restart (senders and receiver re-registered under new epochs).
    expect(s.sent - before[i]!.sent).toBe(perSender);
    expect(now.next).toBe(s.sent);
    expect(now.duplicated - was.duplicated).toBe(0);
    lost += now.lost - was.lost;
    gaps += now.gaps - was.gaps;
    surfaced += s.stats.batchesLost - before[i]!.stats.batchesLost;
  }
  surfaced += got.stats.missedBatches - gotBefore.stats.missedBatches;
  // No silent loss: every run of missing numbers is at least one batch a sender counted lost or the receiver counted missed.
  expect(gaps).toBeLessThanOrEqual(surfaced);
  if (lost > 0) expect(surfaced).toBeGreaterThan(0);
}, 120_000);
