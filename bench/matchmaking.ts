/**
 * Embedded matchmaking cost: `joinOrCreate` latency with 100 rooms listed vs 10,000 (side by side
 * in one run: the machine is shared, so the ratio is what means anything), and a burst of 1,000
 * concurrent calls with maxClients 50 (rooms made, most in a room, time to seat them all).
 *
 *   npm run bench:matchmaking        full run, writes its section of docs/benchmarks.md
 *   BENCH_SMOKE=1 …                  tiny counts, nothing written (inside npm test)
 */
import { Matchmaker, localBus, silentLogger } from '../engine-plugin/src/index';
import { environmentLine, table, writeSection } from './report';
import { fixed, summary } from './stats';

const SMOKE = process.env.BENCH_SMOKE === '1';
const SMALL = SMOKE ? 10 : 100;
const LARGE = SMOKE ? 200 : 10_000;
const CALLS = SMOKE ? 200 : 5_000;
const BURST = SMOKE ? 100 : 1_000;

function matchmaker(): Matchmaker {
  return new Matchmaker(
    { bus: localBus(), logger: silentLogger, handshakeTimeoutMs: 5_000, disconnect: () => {} },
    { seatTtlMs: 600_000, address: '/ws' },
  );
}

/** `rooms` open rooms in one pool, each with room to spare; then `CALLS` joinOrCreate, each timed. */
async function latencyWith(rooms: number): Promise<number[]> {
  const mm = matchmaker();
  mm.defineRoomType('arena', { maxClients: 1_000_000, emptyLifetimeMs: Number.POSITIVE_INFINITY, filterBy: ['mode'] });
  // Other pools too: a lookup must not pay for rooms it cannot join.
  for (let i = 0; i < rooms; i++) await mm.create('arena', { mode: i % 2 === 0 ? 'ranked' : 'casual' });
  const samples: number[] = [];
  for (let i = 0; i < CALLS; i++) {
    const started = performance.now();
    await mm.joinOrCreate('arena', { mode: 'ranked' });
    samples.push(performance.now() - started);
  }
  await mm.close();
  return samples;
}

async function burst(): Promise<{ rooms: number; most: number; ms: number }> {
  const mm = matchmaker();
  mm.defineRoomType('battle', { maxClients: 50 });
  const started = performance.now();
  const seats = await Promise.all(Array.from({ length: BURST }, () => mm.joinOrCreate('battle')));
  const ms = performance.now() - started;
  const perRoom = new Map<string, number>();
  for (const seat of seats) perRoom.set(seat.room.roomId, (perRoom.get(seat.room.roomId) ?? 0) + 1);
  await mm.close();
  return { rooms: perRoom.size, most: Math.max(...perRoom.values()), ms };
}

async function main(): Promise<void> {
  // Warm the JIT on the path being measured, then measure both sizes in one run.
  await latencyWith(SMALL);
  const small = summary(await latencyWith(SMALL));
  const large = summary(await latencyWith(LARGE));
  const seated = await burst();
  const rows = [
    [`${SMALL} rooms`, fixed(small.p50 * 1000, 1), fixed(small.p99 * 1000, 1), fixed(small.max * 1000, 0)],
    [`${LARGE.toLocaleString('en-US')} rooms`, fixed(large.p50 * 1000, 1), fixed(large.p99 * 1000, 1), fixed(large.max * 1000, 0)],
  ];
  writeSection(
    'matchmaking',
    [
      '## Matchmaking, embedded (`npm run bench:matchmaking`)',
      '',
      environmentLine(),
      '',
      `\`joinOrCreate\` through the in-process directory (\`embeddedRoomDirectory\`), ${CALLS.toLocaleString('en-US')} sequential calls per row, half the rooms in another pool (filterBy).`,
      '',
      table(['rooms listed', 'p50 µs', 'p99 µs', 'max µs'], rows),
      '',
      `p99(${LARGE.toLocaleString('en-US')} rooms) / p99(${SMALL} rooms) = ${fixed(large.p99 / small.p99, 2)}.`,
      '',
      `Burst: ${BURST.toLocaleString('en-US')} concurrent \`joinOrCreate\`, maxClients 50 → ${seated.rooms} rooms, at most ${seated.most} in one, all seated in ${fixed(seated.ms, 1)} ms.`,
    ].join('\n'),
  );
}

await main();
